from . import (
    helpdesk_ticket,
    mgmtsystem_action,
    mgmtsystem_nonconformity,
    product_template,
    quality_capa_closure,
    recall_campaign,
    recall_signature,
    res_company,
    res_config_settings,
    stock_lot,
)
