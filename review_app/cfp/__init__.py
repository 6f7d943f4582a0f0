"""The call for sessions: proposals, their speakers and their life up to the decision."""
from . import uses as _uses  # noqa: F401  (tells the committee's delete pages which proposals use an item)
