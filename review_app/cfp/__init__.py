"""The call for sessions: proposals, their speakers and their life up to the decision."""
