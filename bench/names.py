"""Deterministic, realistic customer data for the benchmarks.

Why not random strings: the name index blocks on shared words, so its cost depends on how
often words repeat. Real Turkish and English customer lists are dominated by a few hundred
given names and surnames ("Mehmet Yılmaz" has thousands of namesakes), companies reuse
surnames and sector words, and legal suffixes vary ("A.Ş.", "Ltd. Şti.", "Tic. Ltd. Şti.").
Every list below is ordered roughly from most to least common; it is the head, and
``vocabulary.py`` composes each list's long tail (tens of thousands of surnames, given names
and brand words, Turkish and English) behind it. Words are drawn with Zipf weights (1 / rank**s)
over head and tail, so the head repeats the way a real CRM does ("Mehmet Yılmaz" has many
namesakes) while a million records still hold tens of thousands of distinct words, as real
books do. Same seed, same records.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from vocabulary import long_tail


def _words(text: str) -> list[str]:
    """Word lists are written as prose blocks: shorter to read than a literal per line."""
    return text.split()


def _phrases(text: str) -> list[str]:
    """Like ``_words`` for entries of several words, separated by "|"."""
    return [p.strip() for p in text.replace("\n", "").split("|")]


TR_MALE = _words(
    """Mehmet Ahmet Mustafa Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer
Ramazan Halil Süleyman Abdullah Mahmut Recep Salih Fatih Kadir Emre Hakan Burak Serkan Onur
Mert Uğur Yasin Gökhan Sinan Volkan Cem Can Barış Erkan Tolga Oğuz Kemal Cengiz Orhan Erdem
Özgür Tuncay Şahin Selçuk Çağlar Doğan İlker Levent Tarık Alper Koray Berk Eren Emir Kaan
Furkan Enes Batuhan Umut Deniz Arda Çağrı Görkem Ercan Nuri Rıza Şükrü Ünal"""
)

TR_FEMALE = _words(
    """Fatma Ayşe Emine Hatice Zeynep Elif Meryem Şerife Zehra Sultan Hanife Merve
Havva Zeliha Esra Fadime Özlem Hacer Yasemin Büşra Gül Gülsüm Derya Dilek Ebru Sevgi Songül
Tuğba Kübra Melek Aysel Nurten Şule Pınar Sibel Gamze Duygu Ece İrem Buse Selin Cansu Ceren
Damla Ezgi Gizem Aslı Nilüfer Öznur Çiğdem Gülşen Nazlı Şeyma Begüm Tülay Müge Hülya Filiz
Sevda İpek"""
)

TR_SURNAMES = _words(
    """Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan
Doğan Kılıç Aslan Çetin Kara Koç Kurt Özkan Şimşek Polat Özcan Korkmaz Çakır Erdoğan Yavuz
Can Acar Şen Aktaş Güler Yalçın Güneş Bozkurt Bulut Keskin Ünal Turan Gül Özer Işık Kaplan
Avcı Sarı Tekin Taş Köse Yüksel Ateş Aksoy Uçar Ekinci Karataş Erdem Başaran Tunç Akın Kaçar
Sönmez Kalkan Uysal Bayram Altun Durmaz Güven Akgül Ağca Oral Duman Erol Karaca Kocabaş
Çiftçi Demirci Gündoğdu Karakaya Uzun Coşkun Toprak Akbulut Özbek Çınar Karadağ Eren Tosun
Sezer Yücel Gökçe Altıntaş Ergün Aydoğan Kahraman Soylu Akyüz Ölmez Dinçer Güngör Baysal
Ilgaz İnce Şeker Çolak Özyurt Ağaoğlu Demirel Demirtaş Öğüt Işıklar"""
)

EN_FIRST = _words(
    """James John Robert Michael William David Richard Joseph Thomas Charles Mary
Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Daniel Matthew Anthony
Mark Paul Steven Andrew Kenneth Emily Emma Olivia Sophie Laura Rachel Hannah Peter George
Edward Oliver Harry Jack Lucy Chloe Grace Alice Henry Samuel Benjamin Claire"""
)

EN_SURNAMES = _words(
    """Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas
Moore Martin Jackson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott
Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker
Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell
Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Fischer Weber
Schneider Becker"""
)

TR_TITLES = ("Dr.", "Av.", "Prof. Dr.", "Doç. Dr.", "Uzm. Dr.", "Op. Dr.", "Ecz.", "Müh.")
EN_TITLES = ("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.")

TR_SECTORS = _phrases(
    """İnşaat|Gıda|Tekstil|Otomotiv|Lojistik|Turizm|Mobilya|Elektrik|Elektronik|Makine|
Kimya|Plastik|Ambalaj|Tarım Ürünleri|Enerji|Yapı Malzemeleri|Madencilik|Danışmanlık|Bilişim|
Yazılım|Medikal|Sağlık Hizmetleri|Eğitim|Reklam|Matbaacılık|Petrol|Nakliyat|Emlak|Mühendislik|
Dış Ticaret|Kuyumculuk|Cam|Metal|Demir Çelik|Seramik|Konfeksiyon|Otomasyon|Hırdavat"""
)

TR_COMPANY_WORDS = _words(
    """Anadolu Ege Marmara Karadeniz Akdeniz Toros Başkent Yıldız Doğuş Güneş
Atlas Kartal Birlik Yeni Altın Gök Deniz Ata Tuna Fırat Dicle Uludağ Erciyes Kale Ulus Ekin
Nur Akçay Özgüven Simge"""
)

TR_LEGAL = ("A.Ş.", "Ltd. Şti.", "San. ve Tic. Ltd. Şti.", "San. ve Tic. A.Ş.", "Tic. Ltd. Şti.")
TR_LEGAL_WEIGHTS = (30, 30, 20, 10, 10)

EN_SECTORS = _phrases(
    """Logistics|Software|Consulting|Systems|Holdings|Foods|Textiles|Energy|Capital|
Partners|Solutions|Industries|Media|Labs|Analytics|Pharma|Motors|Construction|Trading|Marine|
Retail|Technologies|Design|Security|Health Care"""
)

EN_COMPANY_WORDS = _words(
    """Acme Northwind Summit Pioneer Blue River Silverline Redwood Harbor Apex
Vertex Crescent Evergreen Granite Horizon Liberty Meridian Orion Sterling Westfield Bright Path
Global Union Atlantic"""
)

EN_LEGAL = ("Inc.", "LLC", "Ltd", "GmbH", "Ltd.", "Corp.")
EN_LEGAL_WEIGHTS = (35, 25, 15, 10, 10, 5)

TR_CITIES = _words(
    """İstanbul Ankara İzmir Bursa Antalya Konya Adana Şanlıurfa Gaziantep Kocaeli Mersin
Diyarbakır Hatay Manisa Kayseri Samsun Balıkesir Kahramanmaraş Van Aydın Denizli Sakarya
Tekirdağ Muğla Eskişehir Mardin Trabzon Malatya Erzurum Ordu Çorum Zonguldak Çanakkale Edirne
Isparta Kütahya Uşak Bolu Rize Muş"""
)

EN_CITIES = [
    c.replace("_", " ")
    for c in _words(
        """London Manchester Berlin Hamburg Munich Amsterdam Dublin Vienna Chicago Boston
New_York Toronto"""
    )
]

# Operator prefixes that libphonenumber accepts as Turkish mobiles (Turkcell 53x,
# Vodafone 54x, Türk Telekom 50x/55x), most common first.
TR_MOBILE_PREFIXES = _words(
    """532 533 535 542 505 555 530 536 537 538 539 541 543 544 545 546 531 534
506 507 552 553 554 501 540 547 548 549 550 551 559"""
)

MAIL_HOSTS = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "icloud.com")

# Share of each kind of record; sums to 1.
MIX = (("tr_person", 0.45), ("tr_company", 0.30), ("en_person", 0.15), ("en_company", 0.10))

_ASCII = str.maketrans("çğıİöşüÇĞÖŞÜâîû", "cgiIosuCGOSUaiu")


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One generated customer; ``core`` is the name without title or legal suffix."""

    name: str
    core: str
    kind: str  # person | company
    origin: str  # tr | en
    phone: str | None  # E.164
    email: str | None
    city: str
    title: str = ""
    legal: str = ""


class _Zipf:
    """Draws from a list with weight 1 / rank**s, the usual shape of name frequencies."""

    def __init__(self, items: Sequence[str], s: float = 0.5) -> None:
        self.items = list(items)
        self.cum = list(accumulate(1.0 / (rank + 1) ** s for rank in range(len(items))))

    def __call__(self, rng: random.Random) -> str:
        return rng.choices(self.items, cum_weights=self.cum)[0]


def _with_tail(head: list[str], kind: str, s: float) -> _Zipf:
    """The head's words first (the most common), then the composed long tail."""
    return _Zipf(head + long_tail(head, kind), s)


def vocabulary_size(records: Sequence[CustomerRecord]) -> int:
    """Distinct words (case-folded) across the records' names: the figure that was 573 for
    100,000 names before the long tail, and that the index's typo search walks."""
    return len({w.casefold() for r in records for w in r.name.split()})


class CustomerGenerator:
    """Stateful so phones and e-mails stay unique across one run, as a real CRM enforces."""

    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        # Given names concentrate more than surnames (s 1.0 against 0.8), as in life.
        given = _with_tail(TR_MALE + TR_FEMALE, "tr_given", 1.0)
        self.tr_male = _Zipf(TR_MALE + given.items[len(TR_MALE) + len(TR_FEMALE) :: 2], 1.0)
        self.tr_female = _Zipf(TR_FEMALE + given.items[len(TR_MALE) + len(TR_FEMALE) + 1 :: 2], 1.0)
        self.tr_surname = _with_tail(TR_SURNAMES, "tr_surname", 0.8)
        self.en_first = _with_tail(EN_FIRST, "en_given", 1.0)
        self.en_surname = _with_tail(EN_SURNAMES, "en_surname", 0.8)
        self.tr_sector, self.en_sector = _Zipf(TR_SECTORS), _Zipf(EN_SECTORS)
        self.tr_word = _with_tail(TR_COMPANY_WORDS, "tr_brand", 0.8)
        self.en_word = _with_tail(EN_COMPANY_WORDS, "en_brand", 0.8)
        self.tr_city, self.en_city = _Zipf(TR_CITIES, 1.1), _Zipf(EN_CITIES, 0.8)
        self.prefix = _Zipf(TR_MOBILE_PREFIXES)
        self.phones: set[str] = set()
        self.emails: set[str] = set()

    def many(self, n: int) -> list[CustomerRecord]:
        kinds = [kind for kind, _ in MIX]
        weights = [share for _, share in MIX]
        makers = {
            "tr_person": self.tr_person,
            "tr_company": self.tr_company,
            "en_person": self.en_person,
            "en_company": self.en_company,
        }
        return [makers[k]() for k in self.rng.choices(kinds, weights=weights, k=n)]

    # -- people ----------------------------------------------------------------------------
    def tr_person(self) -> CustomerRecord:
        rng = self.rng
        given = self.tr_male if rng.random() < 0.55 else self.tr_female
        first = given(rng)
        if rng.random() < 0.2:  # "Ahmet Can", "Ayşe Nur": two given names are common
            second = given(rng)
            first = first if second == first else f"{first} {second}"
        surname = self.tr_surname(rng)
        while surname in first.split():  # "Şahin Şahin" exists, but too rarely to model
            surname = self.tr_surname(rng)
        core = f"{first} {surname}"
        title = rng.choice(TR_TITLES) if rng.random() < 0.05 else ""
        return self._person(core, title, "tr", self.tr_city(rng))

    def en_person(self) -> CustomerRecord:
        rng = self.rng
        first, surname = self.en_first(rng), self.en_surname(rng)
        while surname == first:  # "Thomas Thomas"
            surname = self.en_surname(rng)
        core = f"{first} {surname}"
        title = rng.choice(EN_TITLES) if rng.random() < 0.05 else ""
        city = self.en_city(rng) if rng.random() < 0.7 else self.tr_city(rng)
        return self._person(core, title, "en", city)

    def _person(self, core: str, title: str, origin: str, city: str) -> CustomerRecord:
        name = f"{title} {core}" if title else core
        local = ".".join(w.lower() for w in ascii_fold(core).split())
        email = self._email(local, self.rng.choice(MAIL_HOSTS)) if self.rng.random() < 0.5 else None
        phone = self._phone() if self.rng.random() < 0.9 else None
        return CustomerRecord(name, core, "person", origin, phone, email, city, title=title)

    # -- companies -------------------------------------------------------------------------
    def tr_company(self) -> CustomerRecord:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            head = self.tr_surname(rng)
        elif roll < 0.65:
            head = f"{self.tr_surname(rng)} Kardeşler"
        elif roll < 0.75:
            head = f"{self.tr_surname(rng)}oğlu"
        else:
            head = self.tr_word(rng)
        core = f"{head} {self.tr_sector(rng)}"
        legal = rng.choices(TR_LEGAL, weights=TR_LEGAL_WEIGHTS)[0]
        domain = "".join(ascii_fold(head).lower().split()) + ".com.tr"
        return self._company(core, legal, "tr", self.tr_city(rng), domain)

    def en_company(self) -> CustomerRecord:
        rng = self.rng
        head = self.en_surname(rng) if rng.random() < 0.5 else self.en_word(rng)
        core = f"{head} {self.en_sector(rng)}"
        legal = rng.choices(EN_LEGAL, weights=EN_LEGAL_WEIGHTS)[0]
        domain = "".join(core.lower().split()) + ".com"
        city = self.en_city(rng) if rng.random() < 0.6 else self.tr_city(rng)
        return self._company(core, legal, "en", city, domain)

    def _company(
        self, core: str, legal: str, origin: str, city: str, domain: str
    ) -> CustomerRecord:
        email = self._email("info", domain) if self.rng.random() < 0.6 else None
        phone = self._phone() if self.rng.random() < 0.8 else None
        return CustomerRecord(
            f"{core} {legal}", core, "company", origin, phone, email, city, "", legal
        )

    # -- contact data ----------------------------------------------------------------------
    def _phone(self) -> str:
        while True:
            number = f"+90{self.prefix(self.rng)}{self.rng.randrange(10_000_000):07d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _email(self, local: str, domain: str) -> str:
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email


def generate(n: int, seed: int = 42) -> list[CustomerRecord]:
    """``n`` customers, the same ones for the same seed."""
    return CustomerGenerator(seed).many(n)


def ascii_fold(text: str) -> str:
    """How the text comes out of a keyboard without Turkish letters; case is kept."""
    return text.translate(_ASCII)


def local_phone(e164: str) -> str:
    """ "+905321234567" as a Turk writes it: "0532 123 45 67"."""
    d = e164.removeprefix("+90")
    return f"0{d[:3]} {d[3:6]} {d[6:8]} {d[8:]}"


if __name__ == "__main__":
    for n in (100_000, 1_000_000):
        print(f"{n:,} names: {vocabulary_size(generate(n)):,} distinct words")
    for record in generate(25, seed=7):
        print(f"{record.name:<45} {record.phone or '-':<14} {record.city:<12} {record.email}")
