"""Vietnam's provinces and centrally run cities, and which of them a text names.

One list for the corpus statistics (which provinces the written articles cover) and the
ledger (which province a bare "UBND tỉnh" of an article belongs to).
"""
import re
from typing import Dict, Iterable, Set, Tuple

from .normalize import canonical

__all__ = ["PROVINCES", "CITIES", "PROVINCE_VARIANTS", "contains_name", "provinces_named", "qualify_body"]

# The 63 provinces and centrally run cities (before the 2025 merger), as written in the press.
PROVINCES = (
    "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hà Giang", "Cao Bằng", "Bắc Kạn",
    "Tuyên Quang", "Lào Cai", "Điện Biên", "Lai Châu", "Sơn La", "Yên Bái", "Hòa Bình", "Thái Nguyên",
    "Lạng Sơn", "Quảng Ninh", "Bắc Giang", "Phú Thọ", "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hưng Yên",
    "Thái Bình", "Hà Nam", "Nam Định", "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình",
    "Quảng Trị", "Thừa Thiên Huế", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa",
    "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước",
    "Tây Ninh", "Bình Dương", "Đồng Nai", "Bà Rịa - Vũng Tàu", "Long An", "Tiền Giang", "Bến Tre",
    "Trà Vinh", "Vĩnh Long", "Đồng Tháp", "An Giang", "Kiên Giang", "Hậu Giang", "Sóc Trăng",
    "Bạc Liêu", "Cà Mau",
)
# the centrally run cities: their bodies are "UBND thành phố …", "Thành ủy …", not "tỉnh"
CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ")
# other spellings the press uses for the same province
PROVINCE_VARIANTS = {"Hồ Chí Minh": ("TP.HCM", "TPHCM", "TP HCM"), "Thừa Thiên Huế": ("Thừa Thiên - Huế", "TP Huế", "thành phố Huế"), "Bà Rịa - Vũng Tàu": ("Bà Rịa-Vũng Tàu", "BR-VT"), "Đắk Lắk": ("Đăk Lăk",), "Đắk Nông": ("Đăk Nông",)}

# Words before a name that make it something else than the province: a district, a
# commune, a bridge or a street of the same name ("huyện Hòa Bình", "cầu Hòa Bình").
_NOT_PROVINCE_BEFORE = (
    "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "thôn", "bản", "ấp", "làng", "khu",
    "cầu", "sông", "đường", "phố", "hồ", "núi", "đèo", "chợ", "bến", "cảng", "ga", "đảo", "vịnh", "hầm",
)
# Names that stand for a province only after a level word ("TP Hồ Chí Minh", not "tư
# tưởng Hồ Chí Minh" or "Đường Hồ Chí Minh").
_NEEDS_LEVEL = ("Hồ Chí Minh",)
_LEVEL = r"(?:tỉnh|Tỉnh|thành phố|Thành phố|TP\.?|Tp\.?)"


def _alternation(names) -> str:
    return "|".join(re.escape(canonical(n)) for n in sorted(names, key=len, reverse=True))


_BY_FORM: Dict[str, str] = {canonical(n): n for n in PROVINCES}
_BY_FORM.update({canonical(v): n for n, vs in PROVINCE_VARIANTS.items() for v in vs})
_NAME_RE = re.compile(rf"(?<!\w)({_alternation(_BY_FORM)})(?!\w)")
_BEFORE_RE = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, _NOT_PROVINCE_BEFORE))})\s+$", re.IGNORECASE)
_LEVEL_BEFORE_RE = re.compile(rf"(?<!\w){_LEVEL}\s+$")


def _canonical_text(text: str) -> str:
    # canonical() caches its answers: fine for names, wasteful for whole articles
    return canonical.__wrapped__(text)


def contains_name(text: str, name: str) -> bool:
    """`name` occurs in `text` as whole words."""
    return re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text) is not None


def provinces_named(text: str, skip: Iterable[Tuple[int, int]] = ()) -> Set[str]:
    """The provinces and centrally run cities a text names (in the spelling of PROVINCES):
    "Sơn La", "tỉnh Sơn La", "Sở Y tế Sơn La", "TP.HCM"; not a name right after a word of
    another kind of place ("huyện Hòa Bình", "cầu Hòa Bình"), nor inside a `skip` range
    (character offsets of `text`, e.g. the article's person names: "Nguyễn Thái Bình")."""
    chars = list(text)
    for start, end in skip:
        chars[max(0, start) : max(0, end)] = " " * len(chars[max(0, start) : max(0, end)])
    text = _canonical_text("".join(chars))
    found = set()
    for match in _NAME_RE.finditer(text):
        name = _BY_FORM[match.group(1)]
        before = text[max(0, match.start() - 12) : match.start()]
        if _BEFORE_RE.search(before):
            continue
        if name in _NEEDS_LEVEL and match.group(1) == canonical(name) and not _LEVEL_BEFORE_RE.search(before):
            continue
        found.add(name)
    return found


# A body whose name stops at its level word ("UBND tỉnh", "Công an thành phố", "Thành ủy")
# and which level of place completes it.
_BARE_BODY = re.compile(r"^(.*?)(?:\s+|^)(tỉnh|Tỉnh|thành phố|Thành phố|TP\.?|Tỉnh ủy|Thành ủy)$")


def qualify_body(body: str, provinces: Set[str]) -> str:
    """"UBND tỉnh" -> "UBND tỉnh X" when `provinces` is exactly {X} and X is a province
    (for "thành phố", "TP" and "Thành ủy": a centrally run city); otherwise `body`."""
    if len(provinces) != 1:
        return body
    (name,) = provinces
    match = _BARE_BODY.match(body)
    if not match or "," in body or " các " in f" {body} ":  # "UBND các huyện, thành phố": many bodies
        return body
    level = match.group(2)
    if (level.lower() in ("tỉnh", "tỉnh ủy")) == (name in CITIES):
        return body
    return f"{body} {name}"
