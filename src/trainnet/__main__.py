from trainnet.cli import app

app()
