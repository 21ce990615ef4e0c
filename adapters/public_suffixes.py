from publicsuffixlist import PublicSuffixList


class BundledPublicSuffixList:
    """The Public Suffix List that the `publicsuffixlist` package ships (its ICANN and private
    sections; nothing is downloaded at run time): upgrading the package refreshes it."""

    def __init__(self) -> None:
        self._list = PublicSuffixList()

    def is_public_suffix(self, domain: str) -> bool:
        return bool(self._list.is_public(domain.lower()))
