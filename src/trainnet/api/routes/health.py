from fastapi import APIRouter

from trainnet import __version__
from trainnet.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/", response_model=Health)
def health() -> Health:
    return Health(status="ok", version=__version__)
