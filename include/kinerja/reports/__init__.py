"""The reports of a year, by role:

- the year read from the warehouse: `year` (YearReport, `build_year`), with `spm`, `lppd`, `lkpj`
  and `makro` reading and computing each part, and `yoy` pairing it with the previous year;
- the presentation tables: `table` (Table, Col, the sections) and `tables/` (one module per
  section), plus `charts` and `headline` (the figures the reviewer and the cover see);
- the renderers: `render_xlsx`, `render_html`, `render_pdf`, `docx` (the documents' drafts).

Below them: kinerja.status (collection status), kinerja.rules (the formulas), kinerja.cells (cell
text). Writing every output of a year into one folder is kinerja.build, above publish and Satu Data.
"""
