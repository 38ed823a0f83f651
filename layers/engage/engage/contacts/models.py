"""Contact items (sharded) and the per-tenant phone uniqueness guard."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from engage.core.db import GSI1, BaseItem


class ContactItem(BaseItem):
    """`PK=T#<tenantId>#C#<shard>`, `SK=<contactId>` (time-ordered id, so SK order = age)."""

    phone_e164 = UnicodeAttribute(attr_name="phoneE164")
    first_name = UnicodeAttribute(null=True, attr_name="firstName")
    last_name = UnicodeAttribute(null=True, attr_name="lastName")
    email = UnicodeAttribute(null=True)
    gender = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True, attr_name="birthDate")
    sms_consent = UnicodeAttribute(default="unknown", attr_name="smsConsent")
    whatsapp_consent = UnicodeAttribute(default="unknown", attr_name="whatsappConsent")
    email_consent = UnicodeAttribute(default="unknown", attr_name="emailConsent")
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    search_text = UnicodeAttribute(default="", attr_name="searchText")
    opt_out_source = UnicodeAttribute(null=True, attr_name="optOutSource")
    # An end user of the chat platform (issue 9) is a contact with the tenant's external id
    # for them, the device their SDK reports and custom attributes; `phoneE164` is then "" when
    # they gave no phone (such a contact cannot opt in to SMS: engage/contacts/service.py).
    external_id = UnicodeAttribute(null=True, attr_name="externalId")
    device = JSONAttribute(null=True)
    attributes = JSONAttribute(null=True)
    # Seed 003 section 4 `preferences` (issue 11): a BCP 47 language tag ("en", "es-MX") and
    # the channel the customer prefers (a `conversations.schemas.Channel` value); null: unknown.
    language = UnicodeAttribute(null=True)
    preferred_channel = UnicodeAttribute(null=True, attr_name="preferredChannel")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    # Sparse GSI1 entry `T#<t>#EMAIL#<address>` -> this contact, kept by `store.put_contact`
    # and `store.write_new_contacts` from `email` (inbound e-mail, Shopify orders).
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    by_email = GSI1()


class PhoneItem(BaseItem):
    """`PK=T#<tenantId>#PHONE#<e164>`: which contact owns the number; GSI1 finds the tenants
    that know a number (for inbound STOP / START)."""

    contact_id = UnicodeAttribute(attr_name="contactId")
    gsi1pk = UnicodeAttribute(attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(attr_name="GSI1SK")
    by_phone = GSI1()


class ImportJobItem(BaseItem):
    """`PK=T#<tenantId>#IMPORT`, `SK=<jobId>`: an asynchronous import and its progress."""

    status = UnicodeAttribute()  # queued | running | completed | failed
    s3_key = UnicodeAttribute(attr_name="s3Key")
    file_name = UnicodeAttribute(null=True, attr_name="fileName")
    total_rows = NumberAttribute(default=0, attr_name="totalRows")
    processed_rows = NumberAttribute(default=0, attr_name="processedRows")
    imported = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    invalid = NumberAttribute(default=0)
    errors = JSONAttribute(default=list)
    failure = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class ImportLockItem(BaseItem):
    """`PK=T#<tenantId>`, `SK=IMPORTLOCK`: the tenant's import lease."""

    locked_until = NumberAttribute(attr_name="lockedUntil")


class ConsentLogItem(BaseItem):
    """`PK=T#<tenantId>#CONSENTLOG`, `SK=<ISO time>#<contactId>`; expires after 15 days
    (longer than SQS keeps a message). `channel` says which channel the contact left."""

    contact_id = UnicodeAttribute(attr_name="contactId")
    reason = UnicodeAttribute()
    # `sms`, `whatsapp`, `email`, or null for every channel (deleted, phone changed)
    channel = UnicodeAttribute(null=True)
