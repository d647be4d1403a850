def pre_init_hook(env):
    """Companies that exist when the addon is installed keep shipping as before: their DIs have
    no publication record yet. Publish them, then switch the block on in Settings. Companies
    created afterwards have it on (the field's default)."""
    env.cr.execute(
        "ALTER TABLE res_company ADD COLUMN IF NOT EXISTS udi_block_unpublished_shipping boolean"
    )
    env.cr.execute("UPDATE res_company SET udi_block_unpublished_shipping = FALSE")


def post_init_hook(env):
    """Devices with an NMPA or GUDID publication date count as published there."""
    env["udi.di"]._udi_publish_legacy()
