"""Publisher registry (content/publishers.yml): names, region codes, aliases, agency codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import GazetteError

_SPACES = re.compile(r"\s+")


REGISTRY_FILE = "publishers.yml"  # in the content directory


class RegistryError(GazetteError):
    """publishers.yml does not describe publishers. The message names the field."""


@dataclass(frozen=True)
class Publisher:
    name: str
    region_code: str
    slug: str = ""
    short_name: str = ""
    aliases: tuple[str, ...] = ()
    agency_codes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Registry:
    publishers: list[Publisher] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict | None, source: str = "publishers.yml") -> Registry:
        """The parsed YAML mapping → Registry. Raises RegistryError naming the field."""
        if data is None:
            return cls([])
        if not isinstance(data, dict) or not isinstance(data.get("publishers", []), list):
            raise RegistryError(f"{source}: expected a mapping with a 'publishers' list")
        publishers = []
        for i, item in enumerate(data.get("publishers") or []):
            where = f"{source}: publishers[{i}]"
            if not isinstance(item, dict):
                raise RegistryError(f"{where}: expected a mapping")
            for key in ("name", "region_code"):
                if not isinstance(item.get(key), (str, int)) or not str(item.get(key)).strip():
                    raise RegistryError(f"{where}.{key}: missing")
            lists = {}
            for key in ("aliases", "agency_codes"):
                value = item.get(key) or []
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise RegistryError(f"{where}.{key}: expected a list of text")
                lists[key] = tuple(v.strip() for v in value if v.strip())
            publishers.append(
                Publisher(
                    name=str(item["name"]).strip(),
                    region_code=str(item["region_code"]).strip(),
                    slug=str(item.get("slug") or ""),
                    short_name=str(item.get("short_name") or ""),
                    aliases=lists["aliases"],
                    agency_codes=lists["agency_codes"],
                )
            )
        return cls(publishers)

    def find(self, text: str) -> Publisher | None:
        """The publisher named in ``text`` (a masthead, issuer or signature); longest name wins."""
        text = _SPACES.sub("", text or "")
        if not text:
            return None
        best: tuple[int, Publisher] | None = None
        for publisher in self.publishers:
            for name in publisher.names:
                if name and name in text and (best is None or len(name) > best[0]):
                    best = (len(name), publisher)
        return best[1] if best else None

    def by_agency(self, agency: str) -> Publisher | None:
        """The publisher whose registered agency codes include ``agency``."""
        for publisher in self.publishers:
            if agency in publisher.agency_codes:
                return publisher
        return None

    def all_codes(self) -> tuple[str, ...]:
        return tuple(code for p in self.publishers for code in p.agency_codes)


def load_registry(path: Path | str) -> Registry:
    """Read publishers.yml; a missing file gives an empty registry."""
    import yaml

    path = Path(path)
    if not path.exists():
        return Registry([])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    return Registry.from_dict(data, str(path))
