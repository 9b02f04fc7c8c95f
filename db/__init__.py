"""Storage: SQLAlchemy 2.0 models, migrations, repositories and the Rasa tracker store."""
