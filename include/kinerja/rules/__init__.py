"""Domain calculations: exact arithmetic with the reports' rounding rule (`numbers`) and the SPM
formula (`spm`). Pure: below the warehouse, they import only schema, catalog, cells and config."""
