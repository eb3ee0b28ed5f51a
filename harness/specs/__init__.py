"""Reading the spec catalog: versions, file discovery, the error catalog."""
