-- Billing: the operator's plans, unlock products and GST profile; each
-- studio's billing profile, subscription and unlocks; Stripe events; GST tax
-- invoices and credit notes with their gapless numbering.
--
-- Operator data (plans, unlock_products, operator_profile) and Stripe's
-- events are not studio data: no studio_id, no policy. Studio data carries
-- studio_id under the usual policy. Invoices outlive their studio: the law
-- keeps them for six years and a deleted invoice would leave a gap in the
-- series, so deleting a studio only detaches them (studio_id NULL, then no
-- studio sees them); their PDFs go with the studio's data key and can be
-- rendered again from the row, which holds every printed particular.
-- +goose Up
CREATE TABLE plans (
    code                 text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_-]{0,31}$'),
    name                 text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    currency             text NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
    -- Prices include GST; the invoice splits what Stripe charged.
    monthly_paise        bigint NOT NULL DEFAULT 0 CHECK (monthly_paise >= 0),
    yearly_paise         bigint NOT NULL DEFAULT 0 CHECK (yearly_paise >= 0),
    stripe_monthly_price text NOT NULL DEFAULT '',
    stripe_yearly_price  text NOT NULL DEFAULT '',
    -- Limits; -1 is unlimited.
    storage_bytes        bigint NOT NULL DEFAULT -1 CHECK (storage_bytes >= -1),
    albums               bigint NOT NULL DEFAULT -1 CHECK (albums >= -1),
    face_collections     bigint NOT NULL DEFAULT -1 CHECK (face_collections >= -1),
    staff_seats          bigint NOT NULL DEFAULT -1 CHECK (staff_seats >= 1 OR staff_seats = -1),
    active               boolean NOT NULL DEFAULT true,
    position             integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX plans_stripe_monthly_key ON plans (stripe_monthly_price) WHERE stripe_monthly_price <> '';
CREATE UNIQUE INDEX plans_stripe_yearly_key ON plans (stripe_yearly_price) WHERE stripe_yearly_price <> '';

-- The plan of every studio without a subscription: small limits, no
-- face search unless a collection is unlocked.
INSERT INTO plans (code, name, storage_bytes, albums, face_collections, staff_seats, position)
VALUES ('free', 'Free', 2147483648, 3, 0, 1, 0);

CREATE TABLE unlock_products (
    code          text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_-]{0,31}$'),
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    kind          text NOT NULL CHECK (kind IN ('face_search_collection', 'storage_pack')),
    -- Bytes of a storage pack; 1 for face search.
    quantity      bigint NOT NULL CHECK (quantity >= 1),
    currency      text NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
    price_paise   bigint NOT NULL CHECK (price_paise > 0),
    stripe_price  text NOT NULL DEFAULT '',
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX unlock_products_stripe_price_key ON unlock_products (stripe_price) WHERE stripe_price <> '';

-- The supplier printed on every invoice: one row.
CREATE TABLE operator_profile (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    legal_name          text NOT NULL CHECK (char_length(legal_name) BETWEEN 1 AND 200),
    address             text NOT NULL CHECK (char_length(address) BETWEEN 1 AND 500),
    state_code          text NOT NULL CHECK (state_code ~ '^[0-9]{2}$'),
    gstin               text NOT NULL CHECK (gstin ~ '^[0-9A-Z]{15}$' AND left(gstin, 2) = state_code),
    -- SAC per product kind: {"subscription": "998315", "storage_pack": ...}.
    sac                 jsonb NOT NULL,
    lut_reference       text NOT NULL CHECK (char_length(lut_reference) BETWEEN 1 AND 40),
    invoice_prefix      text NOT NULL CHECK (invoice_prefix ~ '^[A-Za-z]{1,4}$'),
    credit_note_prefix  text NOT NULL CHECK (credit_note_prefix ~ '^[A-Za-z]{1,4}$'),
    signatory           text NOT NULL DEFAULT '',
    footer              text NOT NULL DEFAULT '',
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (upper(invoice_prefix) <> upper(credit_note_prefix))
);

-- A studio's billing profile and the state of its subscription, as the
-- newest Stripe object applied said (stripe_object_at: that object's time).
CREATE TABLE studio_billing (
    studio_id             uuid PRIMARY KEY REFERENCES studios (id) ON DELETE CASCADE,
    legal_name            text NOT NULL DEFAULT '' CHECK (char_length(legal_name) <= 200),
    address               text NOT NULL DEFAULT '' CHECK (char_length(address) <= 500),
    state_code            text NOT NULL DEFAULT '' CHECK (state_code ~ '^([0-9]{2})?$'),
    country               text NOT NULL DEFAULT 'IN' CHECK (country ~ '^[A-Z]{2}$'),
    gstin                 text NOT NULL DEFAULT '' CHECK (gstin ~ '^([0-9A-Z]{15})?$'),
    billing_email         text NOT NULL DEFAULT '' CHECK (char_length(billing_email) <= 254),
    stripe_customer_id    text UNIQUE,
    plan_code             text NOT NULL DEFAULT 'free' REFERENCES plans (code) ON UPDATE CASCADE,
    billing_interval      text CHECK (billing_interval IN ('month', 'year')),
    subscription_id       text UNIQUE,
    subscription_item_id  text,
    subscription_status   text NOT NULL DEFAULT '',
    current_period_end    timestamptz,
    cancel_at_period_end  boolean NOT NULL DEFAULT false,
    stripe_object_at      timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX studio_billing_plan_idx ON studio_billing (plan_code);

-- Every Stripe event received, by id: a replay finds its row and does
-- nothing. The payload is kept until the event is worked.
CREATE TABLE stripe_events (
    id            text PRIMARY KEY,
    type          text NOT NULL,
    created       timestamptz NOT NULL,
    payload       jsonb NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    -- The studio the event was applied to, for the operator's records.
    -- Stripe's events are the operator's, not a studio's (they arrive before
    -- any studio is known), so the table has no row-level security and no
    -- studio_id column, which would ask for it.
    applied_to    uuid REFERENCES studios (id) ON DELETE SET NULL,
    processed_at  timestamptz,
    outcome       text NOT NULL DEFAULT ''
);
CREATE INDEX stripe_events_received_idx ON stripe_events (received_at);

-- GST tax invoices and credit notes. Money is in paise; a credit note's
-- amounts are negative. Supplier and recipient are snapshots taken at
-- issue, so the document can be printed again exactly as issued.
CREATE TABLE invoices (
    id                          uuid PRIMARY KEY,
    studio_id                   uuid REFERENCES studios (id) ON DELETE SET NULL,
    kind                        text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    series                      text NOT NULL,
    financial_year              text NOT NULL CHECK (financial_year ~ '^[0-9]{4}-[0-9]{2}$'),
    number                      bigint NOT NULL CHECK (number >= 1),
    serial                      text NOT NULL UNIQUE CHECK (serial ~ '^[A-Za-z0-9/-]{1,16}$'),
    issued_at                   timestamptz NOT NULL,
    original_id                 uuid REFERENCES invoices (id),
    -- Credit notes: the charge's refunded total this note brings the credits to.
    refunded_through            bigint,
    stripe_invoice_id           text,
    stripe_payment_intent_id    text,
    stripe_charge_id            text,
    stripe_checkout_session_id  text,
    supplier                    jsonb NOT NULL,
    recipient                   jsonb NOT NULL,
    place_of_supply_code        text CHECK (place_of_supply_code ~ '^[0-9]{2}$'), -- NULL: export
    supply_kind                 text NOT NULL CHECK (supply_kind IN ('intra_state', 'inter_state', 'export')),
    currency                    text NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
    lines                       jsonb NOT NULL,
    taxable                     bigint NOT NULL,
    tax_heads                   jsonb NOT NULL,
    tax                         bigint NOT NULL,
    total                       bigint NOT NULL,
    pdf_key                     text NOT NULL,
    pdf_stored_at               timestamptz,
    emailed_to                  text NOT NULL DEFAULT '',
    emailed_at                  timestamptz,
    UNIQUE (series, financial_year, number),
    CHECK (taxable + tax = total),
    CHECK ((kind = 'invoice') = (original_id IS NULL)),
    CHECK ((kind = 'invoice' AND total > 0) OR (kind = 'credit_note' AND total < 0 AND refunded_through > 0))
);
CREATE INDEX invoices_studio_idx ON invoices (studio_id, issued_at DESC);
CREATE INDEX invoices_original_idx ON invoices (original_id) WHERE original_id IS NOT NULL;
-- Each payment is invoiced once, whichever event brings it first.
CREATE UNIQUE INDEX invoices_stripe_invoice_key ON invoices (stripe_invoice_id) WHERE kind = 'invoice';
CREATE UNIQUE INDEX invoices_payment_intent_key ON invoices (stripe_payment_intent_id) WHERE kind = 'invoice';
CREATE UNIQUE INDEX invoices_charge_key ON invoices (stripe_charge_id) WHERE kind = 'invoice';
CREATE UNIQUE INDEX invoices_checkout_session_key ON invoices (stripe_checkout_session_id) WHERE kind = 'invoice';
-- Each refunded total is credited once.
CREATE UNIQUE INDEX invoices_refund_key ON invoices (original_id, refunded_through) WHERE kind = 'credit_note';

-- The next number of each series and financial year. It is taken with
-- UPDATE ... RETURNING in the transaction that inserts the invoice: a
-- rollback returns the number, and concurrent issuers queue on the row.
CREATE TABLE invoice_counters (
    series          text NOT NULL,
    financial_year  text NOT NULL,
    next            bigint NOT NULL CHECK (next >= 1),
    PRIMARY KEY (series, financial_year)
);

CREATE TABLE studio_unlocks (
    id                          uuid PRIMARY KEY,
    studio_id                   uuid NOT NULL REFERENCES studios (id) ON DELETE CASCADE,
    product_code                text NOT NULL REFERENCES unlock_products (code) ON UPDATE CASCADE,
    -- The product's kind and quantity when bought.
    kind                        text NOT NULL CHECK (kind IN ('face_search_collection', 'storage_pack')),
    quantity                    bigint NOT NULL CHECK (quantity >= 1),
    target_id                   uuid,
    invoice_id                  uuid REFERENCES invoices (id) ON DELETE SET NULL,
    stripe_checkout_session_id  text NOT NULL UNIQUE,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    revoked_at                  timestamptz,
    -- Face search is for one collection, or (no target yet) for the next
    -- collection made past the plan; a storage pack is for the studio.
    CHECK (kind = 'face_search_collection' OR target_id IS NULL)
);
CREATE INDEX studio_unlocks_studio_idx ON studio_unlocks (studio_id);
CREATE UNIQUE INDEX studio_unlocks_target_key ON studio_unlocks (studio_id, target_id)
    WHERE kind = 'face_search_collection' AND revoked_at IS NULL;

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['studio_billing', 'studio_unlocks', 'invoices'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY studio_isolation ON %I USING (studio_id = app_studio()) WITH CHECK (studio_id = app_studio())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO proofsheet_app', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
-- The operator's admin commands run as the app role.
GRANT SELECT, INSERT, UPDATE, DELETE ON plans, unlock_products, operator_profile, stripe_events TO proofsheet_app;
GRANT SELECT, INSERT, UPDATE ON invoice_counters TO proofsheet_app;

-- billing_studio_of finds the studio a Stripe object belongs to, before any
-- studio is known (a webhook's job), and returns only the studio id.
-- 'studio' checks that a studio id taken from Stripe metadata exists.
-- +goose StatementBegin
CREATE FUNCTION billing_studio_of(kind text, key text) RETURNS uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
BEGIN
    CASE kind
    WHEN 'studio'         THEN RETURN (SELECT id FROM studios WHERE id::text = key);
    WHEN 'customer'       THEN RETURN (SELECT studio_id FROM studio_billing WHERE stripe_customer_id = key);
    WHEN 'subscription'   THEN RETURN (SELECT studio_id FROM studio_billing WHERE subscription_id = key);
    WHEN 'invoice'        THEN RETURN (SELECT i.studio_id FROM invoices i WHERE i.kind = 'invoice' AND i.stripe_invoice_id = key);
    WHEN 'payment_intent' THEN RETURN (SELECT i.studio_id FROM invoices i WHERE i.kind = 'invoice' AND i.stripe_payment_intent_id = key);
    WHEN 'charge'         THEN RETURN (SELECT i.studio_id FROM invoices i WHERE i.kind = 'invoice' AND i.stripe_charge_id = key);
    ELSE RAISE EXCEPTION 'billing_studio_of: unknown kind %', kind;
    END CASE;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION billing_studio_of(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_studio_of(text, text) TO proofsheet_app;

-- +goose Down
DROP FUNCTION billing_studio_of(text, text);
DROP TABLE studio_unlocks, invoice_counters, invoices, stripe_events, studio_billing,
    operator_profile, unlock_products, plans;
