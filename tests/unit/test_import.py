"""Contact import (seed 000 section 6): Shopify's export as it really is, the app's own
template, bad files, and the asynchronous path for large files."""

from __future__ import annotations

import boto3

from local.samples import app_template, shopify_export


def test_shopify_export_imports_with_the_counts_its_rows_imply(h):
    headers = h.register()
    sample = shopify_export(400)
    resp = h.import_csv(headers, sample.content, "customers_export.csv")
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert (data["imported"], data["skipped"], data["invalid"]) == (
        sample.imported,
        sample.skipped,
        sample.invalid,
    )
    assert data["totalRows"] == 400
    assert len([e for e in data["errors"] if "phone" in e["reason"]]) == sample.invalid
    listed = h.client.get("/contacts?limit=1", headers=headers).json()["data"]
    assert listed["total"] == sample.imported
    preview = h.client.get("/audiences/segments/sys_gender_unknown/preview", headers=headers)
    assert preview.json()["data"]["estimatedCount"] == sample.opted_in


def test_importing_the_same_file_twice_creates_nothing_the_second_time(h):
    headers = h.register()
    sample = shopify_export(120, seed=3)
    h.import_csv(headers, sample.content)
    again = h.import_csv(headers, sample.content).json()["data"]
    assert again["imported"] == 0
    assert again["skipped"] == sample.imported + sample.skipped
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == sample.imported


def test_app_template_reads_gender_birth_date_and_consent(h):
    headers = h.register()
    content = app_template(
        [
            {
                "phone": "+12015550123",
                "firstName": "Ann",
                "gender": "female",
                "birthDate": "1990-01-02",
                "smsConsent": "opted_in",
            },
            {"phone": "+12015550124", "gender": "other", "smsConsent": "opted_out"},
            {"phone": "+12015550125", "gender": "dragon", "birthDate": "yesterday"},
        ]
    )
    data = h.import_csv(headers, content).json()["data"]
    assert data["imported"] == 3
    reasons = " ".join(e["reason"] for e in data["errors"])
    assert "gender 'dragon'" in reasons and "birthDate 'yesterday'" in reasons
    contacts = {
        c["phoneE164"]: c
        for c in h.client.get("/contacts", headers=headers).json()["data"]["contacts"]
    }
    assert contacts["+12015550123"]["gender"] == "female"
    assert contacts["+12015550123"]["birthDate"] == "1990-01-02"
    assert contacts["+12015550124"]["smsConsent"] == "opted_out"
    assert contacts["+12015550125"]["gender"] is None


def test_headers_match_whatever_their_case_and_punctuation(h):
    headers = h.register()
    content = "Phone Number,FIRST_NAME,e-mail\n'+12015550123,Zoë,z@x.test\n".encode()
    data = h.import_csv(headers, content).json()["data"]
    assert data["imported"] == 1
    contact = h.client.get("/contacts", headers=headers).json()["data"]["contacts"][0]
    assert (contact["firstName"], contact["email"]) == ("Zoë", "z@x.test")


def test_bad_files_are_refused_with_a_reason_and_nothing_is_written(h, monkeypatch):
    headers = h.register()
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    cases = [(png, 400), (b"", 400), (b"name,email\nAnn,a@x.test\n", 400)]
    for content, status in cases:
        resp = h.import_csv(headers, content)
        assert resp.status_code == status, resp.text
        assert resp.json()["error"] == "validation_error"
        assert resp.json()["message"]
    no_file = h.client.post("/contacts/import", headers=headers, data={"x": "1"})
    assert no_file.status_code == 400
    monkeypatch.setenv("IMPORT_MAX_BYTES", "2048")
    from tests.conftest import reset_caches

    reset_caches()
    big = shopify_export(100).content
    resp = h.import_csv(headers, big)
    assert resp.status_code == 413
    assert resp.json()["error"] == "payload_too_large"
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == 0


def test_large_files_go_through_an_asynchronous_job_with_progress(h, monkeypatch):
    monkeypatch.setenv("IMPORT_SYNC_MAX_ROWS", "50")
    from tests.conftest import reset_caches

    reset_caches()
    headers = h.register()
    sample = shopify_export(260, seed=11)
    resp = h.import_csv(headers, sample.content)
    assert resp.status_code == 202
    job = resp.json()["data"]
    assert job["status"] == "queued" and job["totalRows"] == 260
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == 0
    h.drain()
    done = h.client.get(f"/contacts/import/{job['jobId']}", headers=headers).json()["data"]
    assert done["status"] == "completed"
    assert done["processedRows"] == 260 and done["progress"] == 100.0
    assert (done["imported"], done["skipped"], done["invalid"]) == (
        sample.imported,
        sample.skipped,
        sample.invalid,
    )
    other = h.register("other@shop.test", "Other")
    assert h.client.get(f"/contacts/import/{job['jobId']}", headers=other).status_code == 404
    assert boto3.client("s3").list_objects_v2(Bucket="engage-test-imports")["KeyCount"] == 1


def test_a_second_import_while_one_runs_is_refused(h):
    from engage.contacts.importer import import_lease

    headers = h.register()
    tenant_id = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    with import_lease(tenant_id):
        resp = h.import_csv(headers, shopify_export(10).content)
    assert resp.status_code == 409
    assert h.import_csv(headers, shopify_export(10).content).status_code == 200


def test_the_import_worker_takes_its_sqs_event_and_fails_only_a_malformed_record(h, monkeypatch):
    import json

    from local.cfn import ROOT
    from tests.conftest import FUNCTIONS

    monkeypatch.setenv("IMPORT_SYNC_MAX_ROWS", "5")
    from tests.conftest import reset_caches

    reset_caches()
    headers = h.register()
    tenant_id = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    sample = shopify_export(12, seed=5)
    job = h.import_csv(headers, sample.content).json()["data"]
    event = json.loads(
        (ROOT / "events/sqs_import_job.json")
        .read_text()
        .replace("REPLACE_TENANT", tenant_id)
        .replace("REPLACE_JOB", job["jobId"])
    )
    malformed = {**event["Records"][0], "messageId": "bad-1", "body": '{"tenantId": 1}'}
    event["Records"].append(malformed)
    result = FUNCTIONS["ImportWorkerFunction"].invoke(event)
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    done = h.client.get(f"/contacts/import/{job['jobId']}", headers=headers).json()["data"]
    assert done["status"] == "completed" and done["imported"] == sample.imported


def test_the_size_limit_holds_while_the_body_streams_without_a_content_length(h, monkeypatch):
    monkeypatch.setenv("IMPORT_MAX_BYTES", "2048")
    from tests.conftest import reset_caches

    reset_caches()
    headers = h.register()
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nphone\r\n"
    ).encode()

    def chunks():  # chunked transfer encoding: no Content-Length header at all
        yield head
        for i in range(2000):
            yield f"+1201555{i:04d}\r\n".encode() * 10
        yield f"\r\n--{boundary}--\r\n".encode()

    resp = h.client.post(
        "/contacts/import",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=chunks(),
    )
    assert resp.status_code == 413 and resp.json()["error"] == "payload_too_large"
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == 0


def test_a_body_that_is_not_a_multipart_form_is_a_400(h):
    headers = h.register()
    for content_type, body in (
        ("text/csv", b"phone\n+12015550123\n"),
        ("multipart/form-data", b"--x\r\ngarbage"),
        ("multipart/form-data; boundary=x", b"garbage without parts"),
    ):
        resp = h.client.post(
            "/contacts/import",
            headers={**headers, "Content-Type": content_type},
            content=body,
        )
        assert resp.status_code == 400, (content_type, resp.text)
        assert resp.json()["error"] == "validation_error"
