"""Where the browser tests find the demo content they use."""

LEADERSHIP_SLUG = "deflection-implementation-leadership-echo"
ARCHIVE_SLUG = "deflection-echo-2024"
