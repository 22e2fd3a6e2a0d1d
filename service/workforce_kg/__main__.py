from workforce_kg.cli import app

app(prog_name="workforce-kg")
