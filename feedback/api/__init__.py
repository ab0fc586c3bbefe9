"""The feedback API: citizens send and follow their own feedback, the staff of the unit holding it
answer or pass it on, and anyone reads the published answers; through the app's services and
predicates, as the pages."""
