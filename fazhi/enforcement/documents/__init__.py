"""Case documents (执法文书): the .docx of a penalty case in the health enforcement layouts,
generated on request from the case's stored facts and numbers (decision 0053)."""
