"""Media library scanning: a scan imports again the folders that ``manage.py import_music``
imported (songs.services.rescan), so files added to them since become songs."""

from __future__ import annotations

from songs.models import can_manage_catalogue
from songs.services.rescan import ScanStatus, library_rescan_start, library_scan_status
from subsonic.library import iso
from subsonic.protocol import SubsonicError
from subsonic.registry import Call, endpoint


def _payload(status: ScanStatus) -> dict:
    # lastScan and folderCount are Navidrome's additions, which clients such as Feishin show.
    return {
        "scanStatus": {
            "scanning": status.scanning,
            "count": status.files_seen,
            "folderCount": status.folders,
            "lastScan": iso(status.finished_at) if status.finished_at else None,
        }
    }


@endpoint("getScanStatus")
def get_scan_status(call: Call) -> dict:
    """Anyone may ask (as in Subsonic and Navidrome): it tells nothing about other users."""
    return _payload(library_scan_status())


@endpoint("startScan")
def start_scan(call: Call) -> dict:
    if not can_manage_catalogue(call.user):
        raise SubsonicError(
            SubsonicError.NOT_AUTHORISED, "Only catalogue managers may scan the library."
        )
    return _payload(library_rescan_start(user=call.user))
