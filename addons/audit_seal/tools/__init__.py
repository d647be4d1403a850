from . import seal_sql
