"""Lab services (writes): catalogue loading, submissions, grading."""
