-- panel-tui schema at revision 0014_live_text_index
-- Written by `python -m panel_tui.store.demo.schema` from a migrated store;
-- run in one transaction on a new file in WAL mode (quick.py).
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE agency (
	id INTEGER NOT NULL, 
	code VARCHAR(16) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (code)
);
CREATE TABLE event (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(64) NOT NULL, 
	action VARCHAR(40) NOT NULL, 
	dispute_id INTEGER, 
	dispute_ref VARCHAR(20), 
	stage INTEGER, 
	"before" TEXT NOT NULL, 
	"after" TEXT NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, rows TEXT DEFAULT '' NOT NULL, real_actor VARCHAR(64), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_event_dispute_id ON event (dispute_id);
CREATE TABLE setting (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE person (
	id INTEGER NOT NULL, 
	login VARCHAR(64) NOT NULL, 
	display_name VARCHAR(200) NOT NULL, 
	agency_id INTEGER, 
	roles VARCHAR(400) NOT NULL, 
	active BOOLEAN NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	UNIQUE (login)
);
CREATE TABLE dispute (
	id INTEGER NOT NULL, 
	ref VARCHAR(20) NOT NULL, 
	person_ref VARCHAR(32) NOT NULL, 
	dispute_type VARCHAR(20) NOT NULL, 
	risk VARCHAR(10) NOT NULL, 
	raising_agency_id INTEGER NOT NULL, 
	agencies_label VARCHAR(200) NOT NULL, 
	status VARCHAR(12) NOT NULL, 
	current_stage INTEGER NOT NULL, 
	stage_entered_at DATETIME NOT NULL, 
	current_due_at DATETIME, 
	opened_at DATETIME NOT NULL, 
	resolved_at DATETIME, 
	opened_by_id INTEGER NOT NULL, 
	plan_holder_id INTEGER, 
	consent_basis VARCHAR(200) NOT NULL, 
	problem_statement TEXT NOT NULL, 
	proposed_pathway TEXT NOT NULL, 
	rule_conflict TEXT NOT NULL, 
	evidence_summary TEXT NOT NULL, 
	interim_risk_actions TEXT NOT NULL, 
	requested_decision TEXT NOT NULL, 
	withdrawn_reason VARCHAR(1000), 
	version INTEGER NOT NULL, review_due_on DATE, 
	PRIMARY KEY (id), 
	FOREIGN KEY(opened_by_id) REFERENCES person (id), 
	FOREIGN KEY(plan_holder_id) REFERENCES person (id), 
	FOREIGN KEY(raising_agency_id) REFERENCES agency (id), 
	UNIQUE (ref)
);
CREATE INDEX ix_dispute_opened_at ON dispute (opened_at);
CREATE INDEX ix_dispute_person_ref ON dispute (person_ref);
CREATE INDEX ix_dispute_risk_status ON dispute (risk, status);
CREATE INDEX ix_dispute_stage_status ON dispute (current_stage, status);
CREATE INDEX ix_dispute_status_due ON dispute (status, current_due_at);
CREATE INDEX ix_dispute_type_status ON dispute (dispute_type, status);
CREATE TABLE decision (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	kind VARCHAR(12) NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	receiving_agency_id INTEGER, 
	pathway VARCHAR(400) NOT NULL, 
	rationale TEXT NOT NULL, 
	decided_by_id INTEGER NOT NULL, 
	capacity VARCHAR(64) NOT NULL, 
	stage INTEGER NOT NULL, 
	review_date DATE NOT NULL, 
	decided_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(decided_by_id) REFERENCES person (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	FOREIGN KEY(receiving_agency_id) REFERENCES agency (id)
);
CREATE INDEX ix_decision_dispute_id ON decision (dispute_id);
CREATE TABLE disputeagency (
	dispute_id INTEGER NOT NULL, 
	agency_id INTEGER NOT NULL, 
	party VARCHAR(12) NOT NULL, 
	PRIMARY KEY (dispute_id, agency_id), 
	FOREIGN KEY(agency_id) REFERENCES agency (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id)
);
CREATE INDEX ix_dispute_agency_agency ON disputeagency (agency_id, dispute_id);
CREATE TABLE evidenceitem (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	"key" VARCHAR(32) NOT NULL, 
	present BOOLEAN NOT NULL, 
	note VARCHAR(1000) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by_id INTEGER NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	FOREIGN KEY(updated_by_id) REFERENCES person (id), 
	UNIQUE (dispute_id, "key")
);
CREATE INDEX ix_evidenceitem_dispute_id ON evidenceitem (dispute_id);
CREATE TABLE interimcover (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	provider_agency_id INTEGER NOT NULL, 
	support_level VARCHAR(1000) NOT NULL, 
	starts_at DATETIME NOT NULL, 
	review_at DATETIME, 
	assigned_by_id INTEGER NOT NULL, 
	assigned_at DATETIME NOT NULL, 
	active BOOLEAN NOT NULL, 
	version INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assigned_by_id) REFERENCES person (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	FOREIGN KEY(provider_agency_id) REFERENCES agency (id)
);
CREATE INDEX ix_interimcover_dispute_id ON interimcover (dispute_id);
CREATE TABLE note (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	by_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	text TEXT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(by_id) REFERENCES person (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id)
);
CREATE INDEX ix_note_dispute_id ON note (dispute_id);
CREATE TABLE planholderassignment (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	assigned_by_id INTEGER NOT NULL, 
	from_at DATETIME NOT NULL, 
	until_at DATETIME, period_ends DATETIME, next_sync_due DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(assigned_by_id) REFERENCES person (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	FOREIGN KEY(person_id) REFERENCES person (id)
);
CREATE INDEX ix_planholderassignment_dispute_id ON planholderassignment (dispute_id);
CREATE TABLE provisionalpackage (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	coordinator_id INTEGER NOT NULL, 
	actions VARCHAR(2000) NOT NULL, 
	starts_at DATETIME NOT NULL, 
	ends_at DATETIME NOT NULL, 
	status VARCHAR(12) NOT NULL, 
	authorised_by_id INTEGER NOT NULL, 
	authorised_at DATETIME NOT NULL, 
	version INTEGER NOT NULL, closed_at DATETIME, pathway TEXT DEFAULT '' NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(authorised_by_id) REFERENCES person (id), 
	FOREIGN KEY(coordinator_id) REFERENCES person (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id)
);
CREATE INDEX ix_package_status_ends ON provisionalpackage (status, ends_at);
CREATE INDEX ix_provisionalpackage_dispute_id ON provisionalpackage (dispute_id);
CREATE TABLE stagerecord (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	stage INTEGER NOT NULL, 
	entered_at DATETIME NOT NULL, 
	due_at DATETIME, 
	left_at DATETIME, 
	entered_by_id INTEGER NOT NULL, 
	breach_reason VARCHAR(1000), 
	escalation_note VARCHAR(1000), impact TEXT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	FOREIGN KEY(entered_by_id) REFERENCES person (id), 
	UNIQUE (dispute_id, stage)
);
CREATE INDEX ix_stagerecord_dispute_id ON stagerecord (dispute_id);
CREATE TABLE acceptance (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	decision_id INTEGER NOT NULL, 
	accepted_by_id INTEGER NOT NULL, 
	start_plan TEXT NOT NULL, 
	start_date DATE NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(accepted_by_id) REFERENCES person (id), 
	FOREIGN KEY(decision_id) REFERENCES decision (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id)
);
CREATE INDEX ix_acceptance_dispute_id ON acceptance (dispute_id);
CREATE TABLE contactattempt (
	id INTEGER NOT NULL, 
	package_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	method VARCHAR(32) NOT NULL, 
	outcome VARCHAR(16) NOT NULL, 
	note VARCHAR(1000) NOT NULL, 
	by_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(by_id) REFERENCES person (id), 
	FOREIGN KEY(package_id) REFERENCES provisionalpackage (id)
);
CREATE INDEX ix_contactattempt_package_id ON contactattempt (package_id);
CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN SELECT RAISE(ABORT, 'events are append-only: the audit trail cannot be changed or deleted'); END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN SELECT RAISE(ABORT, 'events are append-only: the audit trail cannot be changed or deleted'); END;
CREATE TABLE panelagendaitem (
	id INTEGER NOT NULL, 
	panel_date DATE NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	picked BOOLEAN NOT NULL, 
	added_by_id INTEGER NOT NULL, 
	added_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(added_by_id) REFERENCES person (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	CONSTRAINT uq_agenda_date_dispute UNIQUE (panel_date, dispute_id)
);
CREATE INDEX ix_panelagendaitem_panel_date ON panelagendaitem (panel_date);
CREATE INDEX ix_panelagendaitem_dispute_id ON panelagendaitem (dispute_id);
CREATE INDEX ix_dispute_resolved ON dispute (resolved_at);
CREATE TABLE seenmark (
	login VARCHAR(64) NOT NULL, 
	event_id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (login)
);
CREATE TABLE alertsent (
	id INTEGER NOT NULL, 
	login VARCHAR(64) NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	stage INTEGER NOT NULL, 
	state VARCHAR(12) NOT NULL, 
	due_at DATETIME NOT NULL, 
	channel VARCHAR(12) NOT NULL, 
	claimed_by VARCHAR(300) NOT NULL, 
	claimed_at DATETIME NOT NULL, 
	message_id VARCHAR(300) NOT NULL, 
	sent_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	CONSTRAINT uq_alert_once UNIQUE (login, dispute_id, stage, state, due_at)
);
CREATE INDEX ix_alertsent_dispute_id ON alertsent (dispute_id);
CREATE INDEX ix_event_at ON event (at);
CREATE INDEX ix_dispute_review_due ON dispute (review_due_on);
CREATE INDEX ix_dispute_closed_order ON dispute (resolved_at, id) WHERE status IN ('closed', 'withdrawn');
CREATE INDEX ix_dispute_plan_holder ON dispute (plan_holder_id);
CREATE INDEX ix_dispute_opened_by ON dispute (opened_by_id);
CREATE INDEX ix_event_action_at ON event (action, at);
CREATE TABLE casesync (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	held_at DATETIME NOT NULL, 
	"trigger" VARCHAR(32) NOT NULL, 
	participants VARCHAR(200) NOT NULL, 
	outcome TEXT NOT NULL, 
	next_due DATETIME, 
	recorded_by_id INTEGER NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	FOREIGN KEY(recorded_by_id) REFERENCES person (id)
);
CREATE INDEX ix_casesync_dispute_id ON casesync (dispute_id);
CREATE TABLE consentscope (
	id INTEGER NOT NULL, 
	dispute_id INTEGER NOT NULL, 
	agencies VARCHAR(200) NOT NULL, 
	purpose VARCHAR(200) NOT NULL, 
	review_date DATE NOT NULL, 
	recorded_by_id INTEGER NOT NULL, 
	recorded_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(dispute_id) REFERENCES dispute (id), 
	FOREIGN KEY(recorded_by_id) REFERENCES person (id)
);
CREATE INDEX ix_consentscope_dispute_id ON consentscope (dispute_id);
CREATE INDEX ix_dispute_live_order ON dispute ((current_due_at IS NULL), current_due_at, id, plan_holder_id, opened_by_id, current_stage, risk, dispute_type) WHERE status IN ('open', 'decided');
CREATE VIRTUAL TABLE live_text USING fts5(ref, person_ref, agencies_label, problem_statement, rule_conflict, proposed_pathway, tokenize='trigram');
CREATE TRIGGER live_text_insert AFTER INSERT ON dispute WHEN new.status IN ('open', 'decided') BEGIN INSERT INTO live_text (rowid, ref, person_ref, agencies_label, problem_statement, rule_conflict, proposed_pathway) VALUES (new.id, new.ref, new.person_ref, new.agencies_label, new.problem_statement, new.rule_conflict, new.proposed_pathway); END;
CREATE TRIGGER live_text_delete AFTER DELETE ON dispute WHEN old.status IN ('open', 'decided') BEGIN DELETE FROM live_text WHERE rowid = old.id; END;
CREATE TRIGGER live_text_update AFTER UPDATE OF id, status, ref, person_ref, agencies_label, problem_statement, rule_conflict, proposed_pathway ON dispute WHEN (old.status IN ('open', 'decided')) IS NOT (new.status IN ('open', 'decided')) OR (new.status IN ('open', 'decided') AND (old.id IS NOT new.id OR old.ref IS NOT new.ref OR old.person_ref IS NOT new.person_ref OR old.agencies_label IS NOT new.agencies_label OR old.problem_statement IS NOT new.problem_statement OR old.rule_conflict IS NOT new.rule_conflict OR old.proposed_pathway IS NOT new.proposed_pathway)) BEGIN DELETE FROM live_text WHERE rowid = old.id; INSERT INTO live_text (rowid, ref, person_ref, agencies_label, problem_statement, rule_conflict, proposed_pathway) SELECT new.id, new.ref, new.person_ref, new.agencies_label, new.problem_statement, new.rule_conflict, new.proposed_pathway WHERE new.status IN ('open', 'decided'); END;
ANALYZE sqlite_master;
INSERT INTO alembic_version VALUES ('0014_live_text_index');
INSERT INTO sqlite_stat1 VALUES ('alembic_version','sqlite_autoindex_alembic_version_1','1 1');
INSERT INTO sqlite_stat1 VALUES ('dispute','ix_dispute_closed_order','0 0 0');
INSERT INTO sqlite_stat1 VALUES ('dispute','ix_dispute_live_order','0 0 0 0 0 0 0 0 0');
INSERT INTO sqlite_stat4 VALUES ('alembic_version','sqlite_autoindex_alembic_version_1','1 1','0 0','0 0',X'03150930303032');
