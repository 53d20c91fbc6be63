"""Files for the importers, made in memory as an upload hands them over."""

from partnerships.importing.base import read_bytes
from partnerships.importing.partnerships import PartnershipImporter

# The first line of a partnership file: the importer's own columns, in its order.
PARTNERSHIP_HEADER = ",".join(PartnershipImporter.columns) + "\n"


def run_import(importer, data: str | bytes, name: str = "file.csv", **kwargs):
    """The importer run on a file of this content (text is written as UTF-8) and name."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return importer.run(read_bytes(data, name), **kwargs)
