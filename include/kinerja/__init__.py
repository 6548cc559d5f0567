"""Laporan Kinerja: the yearly LKPJ / LPPD / SPM reporting pipeline of a kota.

Plain, typed Python that runs without Airflow; `dags/` and `plugins/` call into it.
"""

__version__ = "0.1.0"
