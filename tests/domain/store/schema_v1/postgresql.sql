-- The schema version 1 (commit 5a5e15d) created on postgresql: metadata.create_all, then
-- the schema_info row. An upgrade test replays it; never edit it.

CREATE TABLE labels (
	id SERIAL NOT NULL,
	text TEXT NOT NULL,
	label VARCHAR(8) NOT NULL,
	source VARCHAR(16) NOT NULL,
	comment_id VARCHAR(32),
	site_id INTEGER,
	user_id INTEGER,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX ix_labels_created ON labels (created_at);

CREATE TABLE schema_info (
	id SERIAL NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (id)
);

CREATE TABLE sites (
	id SERIAL NOT NULL,
	slug VARCHAR(64) NOT NULL,
	name VARCHAR(200) NOT NULL,
	api_key_hash VARCHAR(64) NOT NULL,
	api_key_prefix VARCHAR(16) NOT NULL,
	policy JSON NOT NULL,
	webhook_url VARCHAR(2048),
	webhook_secret VARCHAR(128),
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (slug),
	UNIQUE (api_key_hash)
);

CREATE TABLE users (
	id SERIAL NOT NULL,
	email VARCHAR(254) NOT NULL,
	password_hash VARCHAR(200) NOT NULL,
	role VARCHAR(16) NOT NULL,
	token_hash VARCHAR(64) NOT NULL,
	site_slugs JSON,
	failed_logins INTEGER NOT NULL,
	locked_until TIMESTAMP WITH TIME ZONE,
	active BOOLEAN NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (email),
	UNIQUE (token_hash)
);

CREATE TABLE blocked_authors (
	id SERIAL NOT NULL,
	site_id INTEGER NOT NULL,
	email VARCHAR(254) NOT NULL,
	user_id INTEGER,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_blocked_site_email UNIQUE (site_id, email),
	FOREIGN KEY(site_id) REFERENCES sites (id)
);

CREATE TABLE comments (
	id VARCHAR(32) NOT NULL,
	site_id INTEGER NOT NULL,
	article_id VARCHAR(200) NOT NULL,
	parent_id VARCHAR(64),
	sender_name VARCHAR(100) NOT NULL,
	email VARCHAR(254) NOT NULL,
	body TEXT NOT NULL,
	author_ip VARCHAR(45),
	user_agent VARCHAR(512),
	referrer VARCHAR(2048),
	permalink VARCHAR(2048),
	status VARCHAR(16) NOT NULL,
	spam FLOAT,
	toxicity FLOAT,
	attributes JSON,
	reasons JSON,
	spans JSON,
	model_version VARCHAR(64),
	decided_by VARCHAR(16),
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	enqueued_at TIMESTAMP WITH TIME ZONE NOT NULL,
	decided_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	FOREIGN KEY(site_id) REFERENCES sites (id)
);
CREATE INDEX ix_comments_site_created ON comments (site_id, created_at);
CREATE INDEX ix_comments_site_email ON comments (site_id, email);
CREATE INDEX ix_comments_status_created ON comments (status, created_at);

CREATE TABLE decisions (
	id SERIAL NOT NULL,
	comment_id VARCHAR(32) NOT NULL,
	site_id INTEGER NOT NULL,
	event VARCHAR(16) NOT NULL,
	decided_by VARCHAR(16) NOT NULL,
	user_id INTEGER,
	previous_status VARCHAR(16) NOT NULL,
	new_status VARCHAR(16) NOT NULL,
	reason VARCHAR(200),
	model_version VARCHAR(64),
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	published_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	FOREIGN KEY(comment_id) REFERENCES comments (id),
	FOREIGN KEY(site_id) REFERENCES sites (id),
	FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE INDEX ix_decisions_comment ON decisions (comment_id);
CREATE INDEX ix_decisions_site_created ON decisions (site_id, created_at);
CREATE INDEX ix_decisions_unpublished ON decisions (published_at, created_at);

INSERT INTO schema_info (id, version) VALUES (1, 1);
