"""A realistic customer CSV for the import benchmark, as a rep's spreadsheet export looks.

Names come from ``names`` (Zipf-weighted Turkish and English people and companies, so
namesakes are common); phones are written the way Turks type them, with a share typed
without Turkish letters, some dirty values (short phones, "ali at x dot com"), namesakes
with other phones, and rows that repeat an earlier customer's phone (the same customer
typed again). Same seed, same file.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from names import CustomerGenerator, ascii_fold, local_phone

HEADER = ("Müşteri Adı", "Telefon", "E-posta", "Şehir", "Etiketler")
TAGS = ("", "", "", "vip", "bayi", "toptan", "perakende", "ihracat")


def write(path: Path, n: int, seed: int = 42) -> None:
    """``n`` data rows, about 3 % dirty values and 2 % typed-again customers."""
    rng = random.Random(seed)
    generator = CustomerGenerator(seed)
    records = generator.many(n)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i, record in enumerate(records):
            name, phone, email = record.name, record.phone, record.email
            roll = rng.random()
            if roll < 0.02 and i > 10:  # the same customer again, typed without Turkish letters
                earlier = records[rng.randrange(i)]
                name, phone, email = ascii_fold(earlier.name), earlier.phone, earlier.email
            elif roll < 0.035:
                phone = None
                out.writerow([name, "0532 12", email or "", record.city, ""])
                continue
            elif roll < 0.05:
                email = f"{ascii_fold(record.core).split()[0].lower()} at firma dot com"
            name = ascii_fold(name) if rng.random() < 0.1 else name
            out.writerow(
                [
                    name,
                    local_phone(phone) if phone else "",
                    email or "",
                    record.city,
                    rng.choice(TAGS),
                ]
            )
