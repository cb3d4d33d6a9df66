"""Split, merge and page edits: requests, jobs, and the use cases behind the split_merge app."""
