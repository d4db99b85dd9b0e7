"""Labs, courses, assignments, submissions and grading."""
