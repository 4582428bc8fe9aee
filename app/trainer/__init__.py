"""The trainer: scenario library, walkthroughs, quizzes and classroom voting over HTTP."""
