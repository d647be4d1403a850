from . import commit_hook
from . import seal_sql
from . import workflow
