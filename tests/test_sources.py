import pytest

from generator.sources import SourceError, decode_source

TEXT = "济宁市兖州区人民政府公报\n2021\n第3-4期"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
    TEXT.encode("gb18030"),
    TEXT.encode("gbk"),
    TEXT.replace("\n", "\r\n").encode("utf-8"),
    TEXT.replace("\n", "\r").encode("gb18030"),
])
def test_decodes_common_encodings_to_lf_text(data):
    assert decode_source(data, "a.txt") == TEXT


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\n", "empty"),
    (b"%PDF-1.4\x00\x01\x02binary", "binary"),
])
def test_rejects_binary_or_empty_naming_the_file(data, reason):
    with pytest.raises(SourceError) as error:
        decode_source(data, "content/sources/bad.txt")
    message = str(error.value)
    assert message.startswith("content/sources/bad.txt") and reason in message and "\n" not in message
