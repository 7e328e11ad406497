"""Which CSV column means which field, per kind of import, and reading cell values.

Headers are compared folded (Turkish-aware, lower case, punctuation as "_"), so "Close Value",
"close_value" and "CLOSE-VALUE" are one header. The aliases cover what common CRM exports and
spreadsheets call things, in English and Turkish; anything else can be named with
``--map column=field``. A field marked multi takes every column mapped to it (a customer's
"phone" and "mobile" are both phones).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from storage.folding import fold

_NAME = ("name", "full_name", "ad", "ad_soyad", "isim")
_COMPANY = ("account", "company", "customer", "customer_name", "account_name", "company_name")
_COMPANY_TR = ("firma", "musteri", "sirket", "unvan", "firma_adi", "musteri_adi")
_PHONE = ("phone", "phones", "mobile", "gsm", "tel", "telephone", "phone_number", "cell")
_PHONE_TR = ("telefon", "cep", "cep_telefonu", "is_telefonu", "phone2", "mobile_phone")
_EMAIL = ("email", "e_mail", "mail", "email_address", "eposta", "e_posta", "email2")
_OWNER = ("owner", "sales_agent", "rep", "sales_rep", "salesperson", "agent", "account_owner")
_OWNER_TR = ("temsilci", "satis_temsilcisi", "sorumlu")
_REF = ("external_id", "ref", "reference", "crm_id", "source_id")

ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "name": _COMPANY + _COMPANY_TR + _NAME,
        "external_id": (*_REF, "account_id", "customer_id", "company_id"),
        "phone": _PHONE + _PHONE_TR,
        "email": _EMAIL,
        "city": ("city", "town", "sehir", "il"),
        "country": ("country", "office_location", "location", "headquarters", "hq", "ulke"),
        "industry": ("industry", "sector", "sektor", "vertical"),
        "revenue": ("revenue", "annual_revenue", "ciro"),
        "employees": ("employees", "employee_count", "staff", "headcount", "calisan"),
        "founded": ("founded", "year_established", "established", "kurulus", "kurulus_yili"),
        "parent": ("parent", "subsidiary_of", "parent_company", "holding", "bagli_oldugu"),
        "kind": ("kind", "type", "customer_type", "tur"),
        "owner": _OWNER + _OWNER_TR,
        "tags": ("tags", "tag", "labels", "etiket", "etiketler"),
    },
    "contacts": {
        "customer": _COMPANY + _COMPANY_TR,
        "name": ("contact", "contact_name", "person", "kisi", "yetkili", *_NAME),
        "role": ("role", "title", "position", "job_title", "gorev", "pozisyon"),
        "phone": _PHONE + _PHONE_TR,
        "email": _EMAIL,
    },
    "deals": {
        "external_id": (*_REF, "opportunity_id", "deal_id"),
        "customer": _COMPANY + _COMPANY_TR,
        "title": ("title", "deal", "deal_name", "opportunity_name", "subject", "baslik"),
        "owner": _OWNER + _OWNER_TR,
        "stage": ("stage", "deal_stage", "status", "pipeline_stage", "asama"),
        "amount": ("amount", "close_value", "value", "deal_value", "expected_value", "tutar"),
        "currency": ("currency", "para_birimi", "doviz"),
        "product": ("product", "product_name", "urun"),
        "created": ("created", "engage_date", "created_at", "created_date", "open_date"),
        "close_date": ("close_date", "closed", "closed_at", "closing_date", "expected_close"),
        "lost_reason": ("lost_reason", "loss_reason", "reason", "kayip_nedeni"),
    },
    "reps": {
        "name": ("sales_agent", "agent", "rep", "salesperson", "temsilci", *_NAME),
        "manager": ("manager", "sales_manager", "reports_to", "supervisor", "yonetici"),
        "region": ("region", "regional_office", "office", "bolge", "sube"),
        "email": _EMAIL,
        "role": ("role", "rol"),
    },
    "products": {
        "name": ("product", "product_name", "urun", "urun_adi", *_NAME),
        "series": ("series", "family", "product_line", "line", "category", "seri"),
        "price": ("price", "sales_price", "list_price", "unit_price", "fiyat"),
        "currency": ("currency", "para_birimi", "doviz"),
    },
}
MULTI = {"phone", "email"}
REQUIRED = {
    "customers": ("name",),
    "contacts": ("customer", "name"),
    "deals": (),
    "reps": ("name",),
    "products": ("name",),
}
DATE_FIELDS = {"created", "close_date"}
_HEADER = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    return _HEADER.sub("_", fold(header)).strip("_")


def map_headers(
    headers: list[str], kind: str, overrides: dict[str, str] | None = None
) -> tuple[dict[str, list[str]], list[str]]:
    """({field: [columns]}, ignored columns). ``overrides`` maps a column to a field."""
    fields = ALIASES[kind]
    lookup = {alias: name for name, aliases in fields.items() for alias in aliases}
    forced = {header_key(col): field for col, field in (overrides or {}).items()}
    mapped: dict[str, list[str]] = {}
    ignored: list[str] = []
    for header in headers:
        key = header_key(header)
        field = forced.get(key) or lookup.get(key)
        if field is None or field not in fields or (field in mapped and field not in MULTI):
            ignored.append(header)
            continue
        mapped.setdefault(field, []).append(header)
    return mapped, ignored


def number(text: str) -> Decimal | None:
    """A number as spreadsheets write it: "1,250,000.50", "1.250.000,50", "₺250000", "4 514".

    The last of "." and "," is the decimal mark when it is followed by one or two digits;
    otherwise both are thousands separators. Raises ValueError for anything else.
    """
    raw = re.sub(r"[^\d.,\-]", "", (text or "").strip())
    if not raw or raw in "-.,":
        if (text or "").strip():
            raise ValueError(text)
        return None
    mark = max(raw.rfind("."), raw.rfind(","))
    if mark >= 0 and 1 <= len(raw) - mark - 1 <= 2:
        whole, frac = raw[:mark], raw[mark + 1 :]
        raw = re.sub(r"[.,]", "", whole) + "." + frac
    else:
        raw = re.sub(r"[.,]", "", raw)
    try:
        return Decimal(raw)
    except InvalidOperation as problem:
        raise ValueError(text) from problem


def whole(text: str) -> int | None:
    value = number(text)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueError(text)
    return int(value)


def product_key(name: str) -> str:
    """Spacing- and punctuation-free folded name: "GTXPro", "GTX Pro" and "gtx-pro" meet."""
    return _HEADER.sub("", fold(name))
