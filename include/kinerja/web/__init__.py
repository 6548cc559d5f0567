"""The pages the Airflow UI plugin serves (plugins/kinerja_status.py wires them to routes):

- `status_page`: the status board of a reporting year as data (who handed in what, mail problems,
  files refused); `status_html`: the board as HTML.
- `chain`: where the year stands in collect → build → review → publish → Satu Data, on the board.
- `review`: the tim ahli's review page of a staged build and its approval links.
"""
