"""Proportionality: does a service need hands-on whole-service leadership?"""

HANDS_ON_WHEN_MET = 3  # criteria holding that call for hands-on leadership by themselves
HANDS_ON_WHEN_IMPORTANT = 2  # ...or this many, one of them the service's importance


def hands_on_recommended(*, criteria_met: int, important: bool) -> bool:
    """Hands-on leadership when 3 or more of the five criteria hold, or importance to the
    organisation with any other."""
    return criteria_met >= HANDS_ON_WHEN_MET or (
        important and criteria_met >= HANDS_ON_WHEN_IMPORTANT
    )
