from . import (
    recall_jurisdiction,
    recall_signature,
    recall_document,
    recall_document_data,
    recall_document_issue,
    recall_campaign,
    recall_campaign_report_nmpa,
)
