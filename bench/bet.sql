-- One 1G bet callback, statement for statement as the application sends it (see
-- bench/seamless.py: captured with CaptureQueriesContext), with pgbench variables for the
-- values. pgbench runs this at the same concurrency as the HTTP load: the database's ceiling
-- for the same SQL, without Python, HTTP or the network.
\set p random(1, :players)
\set t random(1, 900000000000000)
SELECT id, provider, code, name, mode, agent_code, sub_agent, api_key, secret, api_base_url, allowed_ips, launch_method, enabled, created_at, updated_at FROM lobby_integration WHERE agent_code = 'BENCH' AND enabled AND mode = 'seamless' AND provider = 'onegaming' ORDER BY code LIMIT 1;
SELECT fingerprint, outcome, player_id, currency_id FROM wallet_gametransaction WHERE external_id = 'pg-' || :client_id || '-' || :t AND integration_id = :integration ORDER BY id LIMIT 1;
SELECT p.id, p.external_id, p.is_enabled, (SELECT u0.balance FROM wallet_account u0 WHERE u0.currency_id = 'IDR' AND u0.kind = 'wallet' AND u0.player_id = p.id LIMIT 1) FROM wallet_player p WHERE p.external_id = 'B' || :p ORDER BY p.external_id LIMIT 1;
SELECT id, player_id, created_at, expires_at, validated_at, last_seen_at FROM lobby_launchsession WHERE integration_id = :integration AND token = 'tok-B' || :p ORDER BY created_at DESC LIMIT 1;
SELECT id, provider, integration_id, game_id, name, category, brand, game_type, enabled, sort_order FROM lobby_game WHERE game_id = '301' AND provider = 'onegaming' AND (integration_id = :integration OR integration_id IS NULL) ORDER BY integration_id ASC NULLS LAST LIMIT 1;
BEGIN;
SELECT id, kind, currency_id, player_id, integration_id, balance, floor, daily_bet_limit, daily_loss_limit, created_at FROM wallet_account WHERE kind = 'wallet' AND player_id = :p ORDER BY id FOR UPDATE;
SELECT id, integration_id, external_id, action, outcome, player_id, currency_id, amount, ticket, reference, round_id, game_code, session_token, fingerprint, created_at FROM wallet_gametransaction WHERE integration_id = :integration AND (external_id IN ('pg-' || :client_id || '-' || :t) OR ticket IN ('pgT-' || :client_id || '-' || :t) OR (action = 'rollback' AND player_id = :p AND reference IN ('pgT-' || :client_id || '-' || :t))) ORDER BY id;
INSERT INTO wallet_gametransaction (integration_id, external_id, action, outcome, player_id, currency_id, amount, ticket, reference, round_id, game_code, session_token, fingerprint, created_at) VALUES (:integration, 'pg-' || :client_id || '-' || :t, 'bet', 'applied', :p, 'IDR', 1000, 'pgT-' || :client_id || '-' || :t, '', 'R', '301', 'tok-B' || :p, md5(:t::text) || md5(:p::text), now()) RETURNING id \gset g_
INSERT INTO wallet_betticket (bet_id, integration_id, ticket) VALUES (:g_id, :integration, 'pgT-' || :client_id || '-' || :t);
UPDATE wallet_account SET balance = balance - 1000, floor = 0 WHERE kind = 'wallet' AND player_id = :p AND currency_id = 'IDR';
INSERT INTO wallet_transfer (key, kind, debit_account_id, credit_account_id, currency_id, amount, game_transaction_id, actor_id, memo, created_at) VALUES ('game:v2:' || encode(sha256(('[' || :integration || ',"pg-' || :client_id || '-' || :t || '","bet"]')::bytea), 'hex'), 'bet', (SELECT id FROM wallet_account WHERE kind = 'wallet' AND player_id = :p AND currency_id = 'IDR'), :clearing, 'IDR', 1000, :g_id, NULL, '', now()) RETURNING id;
COMMIT;
INSERT INTO providers_calllog (created_at, provider, integration_id, direction, endpoint, player_external_id, txn_id, request_id, status_code, http_status, duration_ms, caller_ip, request_body, response_body) VALUES (now(), 'onegaming', :integration, 'in', 'bet', 'B' || :p, 'pg-' || :client_id || '-' || :t, 'r', 'OK', 200, 1.0, '127.0.0.1', '{"agent_code": "BENCH", "request_id": "r", "player_id": "B1", "l_token": "***", "currency": "IDR", "game_id": "301", "round_id": "R", "txn_id": "x", "txn_ticket": "y", "amount": "0.01"}', '{"status": "OK", "request_id": "r", "balance": "1.00"}') RETURNING id;
