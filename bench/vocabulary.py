"""The long tail of names: tens of thousands of surnames, given names and company words.

Why composed rather than listed: a real customer book of a million holds tens of thousands of
distinct surnames and given names, and the name index's cost depends on that (the vocabulary
its typo search walks, how long a word's list of customers runs). Copying a public name list
is out of the question, and a few hundred real names (``names.py``'s head) repeat far more
than life does. So the tail is composed the way the names themselves are made: Turkish
surnames are two roots or a root and a suffix ("Kara" + "taş", "Demir" + "oğlu", "Yıldız" +
"soy"), many Turkish given names are compounds ("Ay" + "nur", "Gül" + "şen", "Er" + "han"),
English surnames are a root and a place or trade ending ("Ash" + "ford", "Black" + "wood"),
and brand names join a root and a short ending ("Ak" + "san", "Nord" + "tek"). Some
compositions are odd; a few are real names that the head also lists, and are dropped from
the tail so no word is drawn twice. The order is fixed (no sets iterated), so the same lists
come out in every process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_LOWER = str.maketrans("İI", "iı")


def _lower(text: str) -> str:
    return text.translate(_LOWER).lower()


def _words(text: str) -> list[str]:
    return text.split()


def _join(first: str, second: str) -> str:
    """ "Kara" + "taş" = "Karataş"; a doubled letter at the seam is kept ("Akkaya")."""
    return first + _lower(second)


def _interleave(groups: Sequence[Sequence[str]]) -> list[str]:
    """Round-robin over the groups, so a Zipf draw reaches every pattern at a similar rank
    rather than exhausting one root's compositions before the next."""
    out: list[str] = []
    longest = max(len(g) for g in groups)
    for i in range(longest):
        out.extend(g[i] for g in groups if i < len(g))
    return out


def _tail(head: Iterable[str], composed: Iterable[str], minimum: int = 4) -> list[str]:
    """Composed words not in the head and not repeated, in order; too-short ones dropped."""
    seen = {_lower(w) for w in head}
    out: list[str] = []
    for word in composed:
        key = _lower(word)
        if len(word) >= minimum and key not in seen:
            seen.add(key)
            out.append(word)
    return out


# -- Turkish surnames: root + root, root + suffix ----------------------------------------------
TR_ROOTS = _words(
    """Kara Ak Demir Yıldız Öz Kaya Taş Gök Er Al Tek Bay Uz Gül Şen Can Tun Kır Sarı Ay Gün
Bal Arslan Kurt Kartal Doğan Toprak Ege Çelik Boz Sarp Tok Koç Yüce Ulu Ilgaz Sezgin Çakır
Karaca Şahin Akın Atay Aydın Bilge Börü Cömert Dal Deniz Dinç Dur Duru Eke Elmas Erdem Esen
Gökçe Gür Güven Han Işık İnal Kalkan Kandemir Kavak Kayhan Kılıç Kocaman Kor Köse Kutlu Mert
Narin Oğuz Olcay Onat Orhun Ozan Pamuk Polat Sağlam Selvi Serin Soy Sönmez Su Şimşek Tan
Tepe Timur Turan Tuna Türk Uçar Ulus Uysal Ünal Yalın Yavuz Yazıcı Yiğit Yurt Yüksel Zorlu
Akça Altın Bora Çağ Ergin İpek Keskin Kural Metin Oral Sayın Tekin Tosun Yazgan Ateş"""
)
TR_SUFFIXES = _words(
    """oğlu can er soy taş kaya han türk demir dağ ay el ek men öz gül bey kan tekin alp
yiğit bay kurt arslan tepe bilir gün sever kul oy us başı lar ler ci cı çı ceylan baş
yol yurt ok koç tan"""
)


def _tr_surnames(head: Sequence[str]) -> list[str]:
    two = [
        [_join(root, end) for end in [*TR_SUFFIXES, *TR_ROOTS] if _lower(end) != _lower(root)]
        for root in TR_ROOTS
    ]
    # "Karataşoğlu", "Akdemirci": a third part, rarer, so it comes after the two-part ones.
    three = [
        [_join(_join(a, b), end) for b in TR_ROOTS[:40]] for a in TR_ROOTS for end in ("oğlu", "ci")
    ]
    return _tail(head, [*_interleave(two), *_interleave(three)])


# -- Turkish given names: compounds of two parts ---------------------------------------------
TR_GIVEN_FIRST = _words(
    """Ay Gül Nur Er Ser Or Tur Öz Can Sel Bil Em Hak Tol Ok Yıl Dil Ce Se Su Al Ba Bir
Cem Dur Ek Eli Gök Gün Han Il İl Kar Kut Mer Naz Ni Oy Ön Ra Sev Şen Tan Ten Tu Ul Ün Yağ
Yü Zer Is Ar Ber Cih Deniz Ece Ecem Fer İn Meh Ru Sa"""
)
TR_GIVEN_SECOND = _words(
    """can han kan nur gül şen ay dem tuğ su deniz ece sel naz su ten tan men gin cem er
lin ya ra ran ren rin nil ce su gün ber kut tay al ay han baş bek bey bike ça"""
)


def _tr_given(head: Sequence[str]) -> list[str]:
    by_first = [[_join(a, b) for b in TR_GIVEN_SECOND] for a in TR_GIVEN_FIRST]
    return _tail(head, _interleave(by_first))


# -- English surnames and given names ----------------------------------------------------------
EN_ROOTS = _words(
    """Ash Black Brad Brook Hart Har Ken Ald Stan Wood Fair Hol Mar Whit Green Fox Lang
Wes Nor East Hather Dun Bur Kings Ches Wil Ather Thorn Bright Rad Shel Pem Wind Ham Sher Cran
Brom Hawk Lind Mel Pen Red Rose Sand Silver Stock Strat Sut Tal Ware Wyn Hay Brig Car Chad
Clay Crom Dal Dray Elm Fen Gold Hale Hunt Kirk Lock"""
)
EN_ENDINGS = _words(
    """ley ton ford field wood well by worth man son er ham ridge stone more wick dale
bury land brook hurst shaw combe cott den gate hill ing low ner rick sley stead thorpe"""
)
EN_GIVEN_FIRST = _words(
    """Al Bren Cal Dar El Fin Gal Hal Is Jar Kel Lor Mal Nor Or Per Quin Ros Sil Tal Val
Wen Ad Bri Cor Del Em Fla Gra Jo Ka Li Ma Na Ro Sa Ta"""
)
EN_GIVEN_SECOND = _words(
    """an en ia ette ie ley ton ric wyn dan dra lyn mond na nora ric rin sha son tha vin
win bert ford lan ana"""
)


def _en_surnames(head: Sequence[str]) -> list[str]:
    return _tail(head, _interleave([[_join(r, e) for e in EN_ENDINGS] for r in EN_ROOTS]))


def _en_given(head: Sequence[str]) -> list[str]:
    firsts = [[_join(a, b) for b in EN_GIVEN_SECOND] for a in EN_GIVEN_FIRST]
    return _tail(head, _interleave(firsts))


# -- company words: brand roots and endings ---------------------------------------------------
TR_BRAND_ROOTS = _words(
    """Ak Kale Ekin Anadolu Ege Tur Öz Net Tek Bir Gür Doğu Batı Kuzey Güney Yeşil Mavi
Uğur Ata Başak Ulaş Sim Tem Ser Dem Ar Mar Kar Sön Vi Pa Mega Tor Ay Yön Er Alp Ilk Sis Pro
Mak Met Kim Tes Tar Tem Gıda Yapı Enerji"""
)
TR_BRAND_ENDINGS = _words(
    """san tek pa net tur kim sis kon sa mak tas yap gaz plas met pet tex tem com lab
ar as ay el en iş kent"""
)
EN_BRAND_ROOTS = _words(
    """Blue North South East West Nova Prime Bright Clear Swift True Core Peak Star Sun
Iron Oak Pine Stone River Lake Silver Gold Red Green Data Cloud Smart Net Tech Bio Med Aero
Agri Fin Info Micro Omni Opti Pro Terra Trans Uni Vita Zen"""
)
EN_BRAND_ENDINGS = _words(
    """tech gate line works point field ware soft ify ex ion ia ly path wave way bridge
view port logic source stream craft forge mark"""
)


def _brands(roots: Sequence[str], endings: Sequence[str], head: Sequence[str]) -> list[str]:
    return _tail(head, _interleave([[_join(r, e) for e in endings] for r in roots]))


def long_tail(head: Sequence[str], kind: str) -> list[str]:
    """The composed tail for one list (``kind``: tr_surname, tr_given, en_surname, en_given,
    tr_brand, en_brand), the head's own words left out."""
    makers = {
        "tr_surname": lambda: _tr_surnames(head),
        "tr_given": lambda: _tr_given(head),
        "en_surname": lambda: _en_surnames(head),
        "en_given": lambda: _en_given(head),
        "tr_brand": lambda: _brands(TR_BRAND_ROOTS, TR_BRAND_ENDINGS, head),
        "en_brand": lambda: _brands(EN_BRAND_ROOTS, EN_BRAND_ENDINGS, head),
    }
    return makers[kind]()


def sizes() -> dict[str, int]:
    """How many words each composed tail holds (before the head is taken out)."""
    return {
        kind: len(long_tail((), kind))
        for kind in ("tr_surname", "tr_given", "en_surname", "en_given", "tr_brand", "en_brand")
    }


if __name__ == "__main__":
    print(sizes())
