"""The code sets an agency may use in its workbooks, from the catalogue."""

from __future__ import annotations

from kinerja.catalog.loader import Catalog, PerangkatDaerah
from kinerja.schema.model import STATIC_CODES


def code_sets(catalog: Catalog, pd: PerangkatDaerah) -> dict[str, list[str]]:
    """Every code set named by a template column, restricted to what `pd` owns.

    An agency may only report the JPD, IKK and programmes it is responsible for, so a
    workbook naming another agency's codes is caught by the same rule as an unknown code.
    """
    jpd = catalog.jpd_milik(pd.kode_pd)
    sets = {name: list(values) for name, values in STATIC_CODES.items()}
    sets["kode_jpd"] = [j.kode_jpd for j in jpd]
    sets["kode_mutu"] = [m.kode for j in jpd for m in j.mutu]
    sets["kode_kecamatan"] = [w.kode for w in catalog.kecamatan]
    sets["kode_ikk"] = [i.kode_ikk for i in catalog.ikk_milik(pd)]
    sets["kode_ikk_pertumbuhan"] = [i.kode_ikk for i in catalog.ikk_milik(pd) if i.pembilang_negatif]
    sets["kode_nomenklatur"] = [n.kode for n in catalog.nomenklatur_milik(pd)]
    makro = catalog.makro if pd.kode_pd == catalog.pd_makro else ()
    sets["kode_makro"] = [m.kode for m in makro]
    sets["kode_makro_boleh_negatif"] = [m.kode for m in makro if m.min is not None and m.min < 0]
    sets["kode_makro_di_atas_1"] = [m.kode for m in makro if m.maks is None or m.maks > 1]
    sets["kode_makro_di_atas_100"] = [m.kode for m in makro if m.maks is None or m.maks > 100]
    sets["kode_akun_apbd"] = [a.kode for a in catalog.apbd] if pd.kode_pd == catalog.pd_apbd else []
    return sets


def code_labels(catalog: Catalog, pd: PerangkatDaerah) -> dict[str, dict[str, str]]:
    """Human names beside the codes, for the template's dropdown sheet and the feedback."""
    jpd = catalog.jpd_milik(pd.kode_pd)
    return {
        "kode_jpd": {j.kode_jpd: j.nama for j in jpd},
        "kode_mutu": {m.kode: m.nama for j in jpd for m in j.mutu},
        "kode_kecamatan": {w.kode: w.nama for w in catalog.kecamatan},
        "kode_ikk": {i.kode_ikk: i.nama for i in catalog.ikk_milik(pd)},
        "kode_ikk_pertumbuhan": {i.kode_ikk: i.nama for i in catalog.ikk_milik(pd) if i.pembilang_negatif},
        "kode_nomenklatur": {n.kode: n.nama for n in catalog.nomenklatur_milik(pd)},
        "kode_makro": {m.kode: m.nama for m in catalog.makro if pd.kode_pd == catalog.pd_makro},
        "kode_akun_apbd": {a.kode: a.nama for a in catalog.apbd if pd.kode_pd == catalog.pd_apbd},
        **{name: {v: v for v in values} for name, values in STATIC_CODES.items()},
    }
