"""The operator's common operational picture: FastAPI + WebSocket API and the live map page."""
