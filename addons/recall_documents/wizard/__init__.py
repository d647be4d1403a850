from . import recall_document_sign_wizard
