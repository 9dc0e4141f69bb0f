-- wrk script for the grading rows: POST the body in $WRK_BODY with content type $WRK_CONTENT_TYPE.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or ""
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
