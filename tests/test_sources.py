"""Source bytes → text: the encodings gazettes come in are decoded; others are refused in one line."""

from pathlib import Path

import pytest

from generator.ingest.sources import SourceError, decode_source

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "content" / "sources").glob("*.txt"))
TEXT = "济宁市兖州区人民政府公报\n2021\n第3-4期"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("gb18030"),
        TEXT.encode("gbk"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.replace("\n", "\r").encode("gb18030"),
    ],
)
def test_decodes_common_encodings_to_lf_text(data):
    assert decode_source(data, "a.txt") == TEXT


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"%PDF-1.4\x00\x01\x02binary", "binary"),
    ],
)
def test_rejects_binary_or_empty_naming_the_file(data, reason):
    with pytest.raises(SourceError) as error:
        decode_source(data, "content/sources/bad.txt")
    message = str(error.value)
    assert message.startswith("content/sources/bad.txt") and reason in message and "\n" not in message


# ---------------------------------------------------------------- UTF-16 / UTF-32 without a byte-order mark


@pytest.mark.parametrize(
    "codec, named",
    [
        ("utf-16-le", "UTF-16LE"),
        ("utf-16-be", "UTF-16BE"),
        ("utf-32-le", "UTF-32LE"),
        ("utf-32-be", "UTF-32BE"),
    ],
)
@pytest.mark.parametrize("source", SAMPLES, ids=lambda p: p.stem)
def test_wide_text_without_bom_is_named_with_the_command_that_converts_it(source, codec, named):
    with pytest.raises(SourceError) as error:
        decode_source(source.read_text(encoding="utf-8").encode(codec), "sources/x.txt")
    assert str(error.value) == (
        f"sources/x.txt: {named} text without a byte-order mark: save it as UTF-8 "
        f"(iconv -f {named} -t UTF-8 sources/x.txt > sources/x.utf8.txt)"
    )


@pytest.mark.parametrize("codec, named", [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_wide_text_with_bom_is_named_with_the_command_that_converts_it(codec, named):
    with pytest.raises(SourceError) as error:
        decode_source(TEXT.encode(codec), "x.txt")
    assert (
        str(error.value)
        == f"x.txt: {named} text: save it as UTF-8 (iconv -f {named} -t UTF-8 x.txt > x.utf8.txt)"
    )


def test_wide_text_message_quotes_a_name_with_spaces_and_short_texts_are_recognised():
    with pytest.raises(SourceError) as error:
        decode_source((TEXT + "\n").encode("utf-16-le"), "my issue.txt")
    assert str(error.value).endswith("(iconv -f UTF-16LE -t UTF-8 'my issue.txt' > 'my issue.utf8.txt')")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 64,  # every byte value: decodes as UTF-16, but not as text
        b"\x00" * 64,
        "济宁市".encode() + b"\x00\x00" + "公报\n".encode(),  # UTF-8 with stray NULs
        (TEXT + "\n").encode("utf-16-le")[:-1],  # odd length: not UTF-16
    ],
)
def test_nul_bytes_that_are_not_wide_text_are_binary(data):
    with pytest.raises(SourceError, match="binary data"):
        decode_source(data, "bad.bin")


# ---------------------------------------------------------------- Big5 and GB18030

# Enough of simplified → traditional to turn the first document of the Yanzhou sample into
# Big5-encodable traditional text (test data: a character not listed stays as it is when Big5 has it).
_S2T = dict(
    zip(
        "业为义习会兖关决办务区单压发变号园国场坚处实审对届废开录彻总执护报时权济环简类紧级经结续缩职营衔规认许设识调质贯转进镇门间项宁",
        "業為義習會兗關決辦務區單壓發變號園國場堅處實審對屆廢開錄徹總執護報時權濟環簡類緊級經結續縮職營銜規認許設識調質貫轉進鎮門間項寧",
    )
)


def _yanzhou_first_document() -> str:
    lines = (ROOT / "content" / "sources" / "yanzhou-2021-03-04.txt").read_text(encoding="utf-8").split("\n")
    return "\n".join(lines[4:9] + lines[44:80]) + "\n"


def _traditional(text: str) -> str:
    return "".join(_S2T.get(ch, ch) for ch in text)


TRADITIONAL = _traditional(_yanzhou_first_document())
HANDWRITTEN = (
    "濟寧市兗州區人民政府關於進一步加強森林防火工作的通知\n\n各鎮人民政府，各街道辦事處：\n\n"
    "為切實做好今冬明春森林防火工作，確保人民群眾生命財產安全，現將有關事項通知如下。\n"
)


@pytest.mark.parametrize("codec", ["cp950", "big5", "big5hkscs"])
@pytest.mark.parametrize("text", [TRADITIONAL, HANDWRITTEN], ids=["sample", "handwritten"])
def test_big5_text_is_decoded_as_big5_and_kept_traditional(text, codec):
    assert decode_source(text.encode(codec), "trad.txt") == text
    assert decode_source(text.replace("\n", "\r\n").encode(codec), "trad.txt") == text


# Characters of personal and place names that GB2312 lacks (GBK, CJK extension A, and 𠮷 from
# extension B, four bytes in GB18030).
RARE = "喆堃赟玥珺镕昇燊犇頔彧婳翀㛃𠮷"


@pytest.mark.parametrize("source", SAMPLES, ids=lambda p: p.stem)
def test_gb18030_samples_with_rare_name_characters_stay_gb18030(source):
    text = source.read_text(encoding="utf-8")
    rare = text.replace("张", "张" + RARE, 20).replace("王", "王" + RARE[::-1], 20)
    assert rare != text
    assert decode_source(text.encode("gb18030"), source.name) == text
    assert decode_source(rare.encode("gb18030"), source.name) == rare


@pytest.mark.parametrize(
    "text",
    [
        "关于" + RARE * 5 + "同志任职的通知\n",  # mostly rare characters: GB2312 share far below 90 %
        TRADITIONAL,  # traditional text saved as GB18030 is GB18030, not Big5
        HANDWRITTEN,
    ],
)
def test_gb18030_text_outside_gb2312_is_not_taken_for_big5(text):
    assert decode_source(text.encode("gb18030"), "rare.txt") == text
