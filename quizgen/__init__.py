"""quizgen: curated, cited facts turned into quizzes, Anki decks and worksheets."""

__version__ = "0.1.0"
