"""Read a submitted workbook, check it is our template, validate it, tell the agency why."""
