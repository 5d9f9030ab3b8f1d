-- The SQLite schema that create_all made before migrations existed (commit 383b319):
-- tests/test_migrations.py builds a database from it and upgrades it.
CREATE TABLE calls (
	id INTEGER NOT NULL, 
	content_hash VARCHAR(64) NOT NULL, 
	file_name VARCHAR(512) NOT NULL, 
	audio_path VARCHAR(1024) NOT NULL, 
	scenario VARCHAR(32) NOT NULL, 
	agent_id VARCHAR(64), 
	duration FLOAT, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_calls_scenario ON calls (scenario);
CREATE INDEX ix_calls_agent_id ON calls (agent_id);
CREATE UNIQUE INDEX ix_calls_content_hash ON calls (content_hash);
CREATE TABLE transcripts (
	id INTEGER NOT NULL, 
	call_id INTEGER NOT NULL, 
	engine VARCHAR(32) NOT NULL, 
	model_version VARCHAR(128) NOT NULL, 
	payload JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (call_id), 
	FOREIGN KEY(call_id) REFERENCES calls (id)
);
CREATE TABLE scores (
	id INTEGER NOT NULL, 
	call_id INTEGER NOT NULL, 
	rubric_id VARCHAR(64) NOT NULL, 
	rubric_version VARCHAR(64) NOT NULL, 
	model_version VARCHAR(128) NOT NULL, 
	total FLOAT NOT NULL, 
	fatal_failure BOOLEAN NOT NULL, 
	payload JSON NOT NULL, 
	note TEXT, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (call_id, rubric_id, rubric_version, model_version), 
	FOREIGN KEY(call_id) REFERENCES calls (id)
);
CREATE INDEX ix_scores_call_id ON scores (call_id);
CREATE INDEX ix_scores_total ON scores (total);
CREATE TABLE item_reviews (
	id INTEGER NOT NULL, 
	score_id INTEGER NOT NULL, 
	call_id INTEGER NOT NULL, 
	item_id VARCHAR(64) NOT NULL, 
	verdict VARCHAR(16) NOT NULL, 
	action VARCHAR(16) NOT NULL, 
	reviewer VARCHAR(64) NOT NULL, 
	comment TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (score_id, item_id), 
	FOREIGN KEY(score_id) REFERENCES scores (id), 
	FOREIGN KEY(call_id) REFERENCES calls (id)
);
CREATE INDEX ix_item_reviews_call_id ON item_reviews (call_id);
CREATE INDEX ix_item_reviews_score_id ON item_reviews (score_id);
CREATE TABLE review_audit (
	id INTEGER NOT NULL, 
	call_id INTEGER NOT NULL, 
	score_id INTEGER NOT NULL, 
	item_id VARCHAR(64) NOT NULL, 
	action VARCHAR(16) NOT NULL, 
	reviewer VARCHAR(64) NOT NULL, 
	"before" JSON NOT NULL, 
	"after" JSON NOT NULL, 
	comment TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(call_id) REFERENCES calls (id), 
	FOREIGN KEY(score_id) REFERENCES scores (id)
);
CREATE INDEX ix_review_audit_call_id ON review_audit (call_id);
