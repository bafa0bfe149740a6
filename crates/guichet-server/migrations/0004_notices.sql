-- Guichet central server: notices to draw winners (docs/notices.md).

-- The language an account is written to. Accounts made before this migration get French when
-- their country is France, Monaco or a French overseas code, English otherwise; the same rule
-- as `guichet_notices::lang::default_for_country` for new accounts sent without a language.
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('fr', 'en'));
UPDATE accounts SET language = 'fr'
 WHERE country IN ('FR', 'MC', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'WF', 'PF', 'NC', 'TF');

-- One notice per (draw, account). Instants the sender compares are integer milliseconds since
-- the epoch (text instants do not sort: '…00Z' > '…00.5Z'); the slot is kept as the draw wrote it.
--   pending  waiting for next_attempt_ms (the first is the due time: slot start - 48 h)
--   sending  the relay said 354 to DATA and the body and its final dot may have gone out;
--            a row left here by a killed sender is sent again with the same Message-ID
--   sent     the relay said 250 after the data (sent_at)
--   failed   a 5xx answer, too many 4xx, or the slot was over (last_error says which)
CREATE TABLE notice_outbox (
    draw TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    message_id TEXT NOT NULL UNIQUE,
    slot_start TEXT NOT NULL,
    slot_end TEXT NOT NULL,
    due_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_ms INTEGER NOT NULL,
    sending_since_ms INTEGER,
    -- Times a sender found this row in 'sending' and sent it again: each may be a duplicate.
    interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted >= 0),
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (draw, account_id)
);
CREATE INDEX notice_outbox_due ON notice_outbox(state, next_attempt_ms);
