"""PostgreSQL guards of sealed tables: triggers that refuse UPDATE, DELETE and TRUNCATE.

* ``audit_seal_guard_row(model, id_column, col, ...)`` on a sealed model's table (and on tables
  of its sealed children, whose ``id_column`` points to the sealed record): an UPDATE may not
  change any listed column once the record is sealed (a row created by the current transaction,
  whose ``create_date`` is the transaction's time, and without ledger entry yet, may still
  receive values Odoo flushes before the commit); DELETE is refused unless
  the retention purge of this transaction enabled it (``audit_seal.purge``); TRUNCATE is refused.
* ``audit_seal_guard_ledger()`` on the ledger's own tables: no UPDATE, DELETE or TRUNCATE ever.
* ``audit_seal_guard_checkpoint(col, ...)`` on the checkpoints: like the ledger's, except that
  an UPDATE may set the listed time-stamp columns of a checkpoint that has no time-stamp token
  yet (the stamping step records its attempts and then the token; once a token is recorded the
  row never changes again).
* ``audit_seal_guard_key()`` on the public-key registry: only ``valid_to`` may be set, once.
* ``audit_seal_guard_user(ledger table)`` on ``res_users``: a user who sealed ledger entries
  cannot be deleted (what ``ON DELETE RESTRICT`` of a foreign key would do; the ledger's
  ``user_id`` has no foreign key, which would cost a lookup per appended entry).
"""

from odoo.tools import SQL

GUARD_FUNCTIONS = """
CREATE OR REPLACE FUNCTION audit_seal_guard_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    col text;
    sealed_id integer;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'audit_seal: TRUNCATE of sealed table "%" is forbidden', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('audit_seal.purge', true), '') = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_seal: row % of sealed table "%" cannot be deleted',
            OLD.id, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END IF;
    old_row := to_jsonb(OLD);
    IF OLD.create_date = (now() AT TIME ZONE 'UTC')
            AND NEW.create_date IS NOT DISTINCT FROM OLD.create_date THEN
        -- created by this transaction: Odoo may still flush values into it until it is sealed
        sealed_id := (old_row ->> TG_ARGV[1])::integer;
        IF NOT EXISTS (SELECT 1 FROM audit_seal_entry
                        WHERE res_model = TG_ARGV[0] AND res_id = sealed_id) THEN
            RETURN NEW;
        END IF;
    END IF;
    new_row := to_jsonb(NEW);
    FOR i IN 2 .. TG_NARGS - 1 LOOP
        col := TG_ARGV[i];
        IF old_row -> col IS DISTINCT FROM new_row -> col THEN
            RAISE EXCEPTION 'audit_seal: column "%" of row % in sealed table "%" cannot be changed',
                col, OLD.id, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION audit_seal_guard_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_seal: % on ledger table "%" is forbidden', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION audit_seal_guard_checkpoint() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
            AND OLD.tsa_token IS NULL AND OLD.tsa_gen_time IS NULL
            AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV)
            AND to_jsonb(NEW) <> to_jsonb(OLD) THEN
        RETURN NEW;  -- the time-stamp (or a failed attempt) of a checkpoint without token
    END IF;
    RAISE EXCEPTION 'audit_seal: % on ledger table "%" is forbidden (only a missing time-stamp '
        'may be added)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION audit_seal_guard_user() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    found boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE user_id = $1)', TG_ARGV[0])
        INTO found USING OLD.id;
    IF found THEN
        RAISE EXCEPTION 'audit_seal: user % sealed ledger entries and cannot be deleted',
            OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END
$$;

CREATE OR REPLACE FUNCTION audit_seal_guard_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.valid_to IS NULL
                AND NEW.id = OLD.id
                AND NEW.key_id = OLD.key_id
                AND NEW.public_key = OLD.public_key
                AND NEW.valid_from = OLD.valid_from
                AND NEW.is_demo = OLD.is_demo
                AND NEW.valid_to IS NOT NULL THEN
            RETURN NEW;  -- retiring a key: valid_to is set once
        END IF;
        IF (to_jsonb(NEW) - 'name' - 'note' - 'write_date' - 'write_uid')
                = (to_jsonb(OLD) - 'name' - 'note' - 'write_date' - 'write_uid') THEN
            RETURN NEW;  -- label and note are not part of the key
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_seal: % on the public key registry is forbidden '
        '(only the end of validity may be set, once)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRIGGER_ROW = "audit_seal_guard"
TRIGGER_STATEMENT = "audit_seal_guard_truncate"
TRIGGER_USER = "audit_seal_guard_user"


def install_functions(cr):
    cr.execute(GUARD_FUNCTIONS)


def _trigger_is(cr, table, name, function, args):
    """Whether ``table`` already has trigger ``name`` calling ``function(args)``.

    Re-creating a trigger drops it first, which locks the whole table (ACCESS EXCLUSIVE) until
    the transaction ends. A module install or upgrade initialises the models again in one
    transaction that then seals records; sealing may read the chain head through a second
    connection (``audit.seal.entry._seal_head``), which would wait for that lock forever. So
    a guard that is already in place is left alone.
    """
    cr.execute(
        SQL(
            """
            SELECT p.proname, t.tgargs
              FROM pg_trigger t
              JOIN pg_proc p ON p.oid = t.tgfoid
             WHERE t.tgrelid = to_regclass(%s) AND t.tgname = %s
            """,
            table,
            name,
        )
    )
    row = cr.fetchone()
    if not row:
        return False
    current = [arg.decode() for arg in bytes(row[1]).split(b"\0")[:-1]]
    return row[0] == function and current == [str(arg) for arg in args]


def _install(cr, table, function, args=()):
    arg_sql = SQL(", ").join(SQL("%s", arg) for arg in args)
    for name, when, level, with_args in (
        (TRIGGER_ROW, SQL("UPDATE OR DELETE"), SQL("ROW"), True),
        (TRIGGER_STATEMENT, SQL("TRUNCATE"), SQL("STATEMENT"), False),
    ):
        if _trigger_is(cr, table, name, function, args if with_args else ()):
            continue
        cr.execute(
            SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(name), SQL.identifier(table))
        )
        cr.execute(
            SQL(
                "CREATE TRIGGER %s BEFORE %s ON %s FOR EACH %s EXECUTE FUNCTION %s(%s)",
                SQL.identifier(name),
                when,
                SQL.identifier(table),
                level,
                SQL.identifier(function),
                arg_sql if with_args else SQL(""),
            )
        )


def guard_sealed_table(cr, table, model, id_column, columns):
    """Guard a sealed table; ``columns`` may never change once the record is sealed."""
    install_functions(cr)
    columns = sorted(set(columns) | {"id", "create_date"})
    _install(cr, table, "audit_seal_guard_row", [model, id_column, *columns])


def guard_ledger_table(cr, table):
    install_functions(cr)
    _install(cr, table, "audit_seal_guard_ledger")


def guard_checkpoint_table(cr, table, timestamp_columns):
    """Guard the checkpoints: only ``timestamp_columns`` of a row without token may change."""
    install_functions(cr)
    _install(cr, table, "audit_seal_guard_checkpoint", sorted(timestamp_columns))


def guard_users_table(cr, users_table, ledger_table):
    """Refuse deleting a user who sealed entries of ``ledger_table`` (idempotent)."""
    install_functions(cr)
    if _trigger_is(cr, users_table, TRIGGER_USER, "audit_seal_guard_user", [ledger_table]):
        return
    cr.execute(
        SQL(
            "DROP TRIGGER IF EXISTS %s ON %s",
            SQL.identifier(TRIGGER_USER),
            SQL.identifier(users_table),
        )
    )
    cr.execute(
        SQL(
            "CREATE TRIGGER %s BEFORE DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s(%s)",
            SQL.identifier(TRIGGER_USER),
            SQL.identifier(users_table),
            SQL.identifier("audit_seal_guard_user"),
            ledger_table,
        )
    )


def guard_key_table(cr, table):
    install_functions(cr)
    _install(cr, table, "audit_seal_guard_key")


def drop_guard(cr, table):
    for name in (TRIGGER_ROW, TRIGGER_STATEMENT):
        cr.execute(
            SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(name), SQL.identifier(table))
        )


def set_purge(cr, enabled):
    """Allow (or stop allowing) DELETE on sealed tables for the rest of this transaction."""
    cr.execute(SQL("SELECT set_config('audit_seal.purge', %s, true)", "on" if enabled else ""))
