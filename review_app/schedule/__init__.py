"""The programme across the venues: placing confirmed sessions (by hand and with the solver), the checks of a
schedule, and its released versions."""
