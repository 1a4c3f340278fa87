// Package store is keycare's DynamoDB repository: the only package that
// builds DynamoDB requests. It uses one table (single-table design) whose keys,
// GSIs and TTL attribute are declared in template.yaml. It speaks domain
// types and holds no rules: one repository type per kind of record, one file
// each (Store.Customers(), Store.Complaints(), …), sharing the get and page
// helpers of store.go.
//
// Keys (every access pattern is a GetItem or a Query; no Scan anywhere):
//
//	item              PK                      SK                 GSI1 (PK / SK)              GSI2                    GSI3                   GSI4
//	customer          CUST#<id>               PROFILE            MGR#<manager> / CUST#<id>   TIER#<tier> / CUST#<id> DEPT#<dept> / CUST#<id> CUSTOMERS / CUST#<id>
//	customer lookup   LOOKUP#<e:email|p:phone|n:name>  CUST#<id>   (kept with the file: who a sender is)
//	audit entry       AUDIT#<entity>#<id>     <at>#<request>#<n> ACTOR#<sub> / <at>#...
//	complaint         CMP#<number>            CARD               CUSTCMP#<customer> / <at>#<number>  OPEN / <next deadline>#<number> (open only)  CMPMONTH#<YYYY-MM> / <at>#<number>  CMPDEPT#<dept> / <at>#<number>
//	                                                             closed or rejected instead: GSI2 CMPDONE#<YYYY-MM it closed> / <receivedAt, fixed width>#<number>
//	notice sent       NOTICE#<key>            NOTICE (TTL 400 days)   key e.g. complaint/<number>/<reminder>
//	number counter    SEQ#CMP#<year>          SEQ    (last: ADD only; lastAt; settled, seenLast, seenAt: the register check's; dayKey, dayCount: the day's web complaints)
//	register line     REG#CMP#<year>          <seq, 9 digits>    CMPVOID#<year> / <seq> (void records only)
//	idempotency key   IDEM#<key>              IDEM   (TTL 24 h; key = domain.IdempotencyKey: kind|caller|key)
//	mail sent         MAILSENT#<id>           MAIL   (TTL 7 days)
//	mail not queued   MAILPENDING#<id>        MAIL               MAILPENDING / <at>
//	survey invitation SURVEY#<token>          INVITE             CUSTSURVEY#<customer> / <at>#<token>  SURVEYOPEN / <at>#<token> (unanswered only)  INVMONTH#<UTC YYYY-MM> / <at, fixed width>#<token>
//	survey answer     SURVEY#<token>          RESPONSE           CUSTRESP#<customer> / <YYYY-MM>#<at>#<token>           RESPMONTH#<YYYY-MM> / <customer>#<token>
//	survey aggregate  AGG#CUST#<id> | AGG#MGR#<id> | AGG#MONTH   <YYYY-MM>   (AGG#HAND#… for invitations made by hand)
//	contact surveyed  SURVEYCONTACT#<email>   LAST   (TTL: the contact gap and a month)
//	complaint surveyed SURVEYCMP#<number>     ONCE   (one post-complaint invitation per complaint)
//	answer kept       SURVEYKEPT#<token>      ANSWER             SURVEYKEPT / <at>#<token>   (survey queue down)
//	public base URL   CONFIG#public-base      URL    (learned from API Gateway while PublicBaseUrl is empty)
//	request counter   LIMIT#<kind>|<hash>|<window>  N  (TTL: the window and an hour; public form per IP and address)
//	once mark         ONCE#<key>              ONCE   (TTL: the gap; e.g. an address's acknowledgement)
//	follow-up task    FOLLOWUP#<id>           TASK               MGRFOLLOWUP#<manager> / <due>#<id>  FOLLOWUPOPEN / <due>#<id> (open only)  CUSTFOLLOWUP#<customer> / <due>#<id>  FOLLOWUPDUE#<UTC YYYY-MM of due> / <due, fixed width>#<id>
//	visit plan        VPLAN#<month>-<manager> PLAN               PLANMONTH#<month> / <manager>  MGRPLAN#<manager> / <month>
//	visit             VISIT#<id>              VISIT              MGRVISIT#<manager> / <date>#<id>  CUSTVISIT#<customer> / <date>#<id>  VISITOPEN / <date>#<id> (open only), or VISITACTIONS / <earliest open action's due>#<id> (reported, an action open)  VISITDONE#<YYYY-MM> / <customer>#<id> (reported)
//	last visit        VISITLAST               <customer>         (one small item per account: the date of its last reported visit)
//	customer event    CUST#<id>               EVENT#<date>#<event>
//	relationship plan CUST#<id>               RELPLAN            RELPLANREVIEW / <reviewBy>#<customer>  RELPLANSUBMITTED / <dept>#<customer> (awaiting approval only)
//	handover job      HANDOVER#<id>           JOB                HANDOVERRUN / <at>#<id> (running only)
//	handover lock     HANDOVERFROM#<manager>  LOCK               (one running job per outgoing manager)
//	schedule lease    LEASE#<function>        LEASE  (TTL: the run's deadline + 1 day)
//	settings          SETTINGS                CURRENT
//	staff member      STAFF#<id>              PERSON             STAFF / <id>
//	contract          CUST#<customer>         CONTRACT#<id>      CONTRACTEND#<YYYY-MM of end> / <end>#<id>
//	business volume   CUST#<customer>         VOLUME#<YYYY-MM>   VOLMONTH#<YYYY-MM> / <customer>
//	report snapshot   REPORT#<YYYY-MM>        SCOPE#<scope>      (body: gzip of the canonical JSON; hash: its SHA-256)
//	report trend      REPORTTREND#<scope>     <YYYY-MM>          (the month's headline figures; its snapshot's hash and time)
//	complaints/account REPORTFACTS#<YYYY-MM>  COMPLAINTS         (kept with the company snapshot: repeat complainers)
//	mail part         MAILPART#<id>           PART   (TTL 14 days: an attachment of a queued message)
//	console session   SESSION#<sha256 of the cookie's id>  SESSION  (TTL: idle or absolute end, whichever first)
//	stack key         KEY#stack               KEY    (256 random bits, created once: cursors, form tokens, tracking links)
//
// Access patterns:
//
//	customer by id                 GetItem  PK=CUST#id, SK=PROFILE
//	customers by manager           Query    GSI1 PK=MGR#m
//	customers by tier              Query    GSI2 PK=TIER#t
//	customers of a department      Query    GSI3 PK=DEPT#d
//	all customers (executive)      Query    GSI4 PK=CUSTOMERS
//	files of a sender's email, phone or company name  Query PK=LOOKUP#key
//	audit trail of an entity       Query    PK=AUDIT#entity#id (newest first)
//	audit trail of an actor        Query    GSI1 PK=ACTOR#sub (newest first)
//	complaint by number            GetItem  PK=CMP#number, SK=CARD (the public number is the id)
//	complaints of a customer       Query    GSI1 PK=CUSTCMP#id (newest first)
//	open complaints by next deadline  Query GSI2 PK=OPEN (SK < now: overdue on any deadline)
//	complaints received in a month Query    GSI3 PK=CMPMONTH#YYYY-MM
//	complaints of a department     Query    GSI4 PK=CMPDEPT#dept (newest first)
//	submit a complaint             GetItem (idempotency key), UpdateItem ADD (the year's counter; a web complaint's with the day's count, condition below the quota), one TransactWriteItems (line, card, key, mail)
//	the day's web complaints (a bot's decoy)  GetItem PK=SEQ#CMP#year (consistent)
//	register lines of a year       Query    PK=REG#CMP#year, SK between two numbers (the hourly register check)
//	void numbers of a year         Query    GSI1 PK=CMPVOID#year
//	mail jobs to queue (outbox)    Query    GSI1 PK=MAILPENDING, SK < now − 5 min (written with the change they report)
//	survey invitation by token     GetItem  PK=SURVEY#token, SK=INVITE
//	unanswered invitations         Query    GSI2 PK=SURVEYOPEN (reminders)
//	answers of a customer [month]  Query    GSI1 PK=CUSTRESP#id (SK begins_with month#)
//	answers of a month             Query    GSI3 PK=RESPMONTH#YYYY-MM
//	aggregates per customer/manager/month  Query PK=AGG#…, SK BETWEEN from AND to
//	survey answers kept            Query    GSI1 PK=SURVEYKEPT, SK < now − 5 min (hourly run)
//	public base URL                GetItem  PK=CONFIG#public-base (PutItem once per cold start by HTTP functions)
//	count a public submission      UpdateItem PK=LIMIT#… per client quota (IP, address), in parallel (ADD n, condition n < limit)
//	acknowledge an address         PutItem  PK=ONCE#ack|<hash> (condition: none in the last hour)
//	follow-ups of a manager        Query    GSI1 PK=MGRFOLLOWUP#manager (open: filter status)
//	open follow-ups due (digest)   Query    GSI2 PK=FOLLOWUPOPEN, SK < tomorrow
//	open follow-ups of a customer  Query    GSI3 PK=CUSTFOLLOWUP#customer (handover)
//	follow-up by id                GetItem  PK=FOLLOWUP#id, SK=TASK
//	visit plan by id               GetItem  PK=VPLAN#<month>-<manager>, SK=PLAN (one per manager and month)
//	plans of a month               Query    GSI1 PK=PLANMONTH#month (who has not submitted)
//	plans of a manager             Query    GSI2 PK=MGRPLAN#manager (newest first)
//	visit by id                    GetItem  PK=VISIT#id, SK=VISIT
//	visits of a manager by date    Query    GSI1 PK=MGRVISIT#manager, SK BETWEEN from AND to
//	visits of a customer           Query    GSI2 PK=CUSTVISIT#customer (newest first)
//	open visits due (digest)       Query    GSI3 PK=VISITOPEN, SK < date (what is due: today, the week, reports due)
//	reported visits of a month     Query    GSI4 PK=VISITDONE#YYYY-MM (coverage of a period)
//	last visit of every account    Query    PK=VISITLAST (visit frequency in the digest: one item per account)
//	report a visit                 GetItem VISITLAST, then TransactWriteItems (visit + audit + last visit)
//	relationship plan              GetItem  PK=CUST#id, SK=RELPLAN
//	reviews due                    Query    GSI1 PK=RELPLANREVIEW, SK < date
//	relationship plans to approve  Query    GSI2 PK=RELPLANSUBMITTED (the supervisors' digest)
//	promised actions due (digest)  Query    GSI3 PK=VISITACTIONS, SK < date (reported visits with an open action)
//	every account (digest)         Query    GSI4 PK=CUSTOMERS, pages of 1,000
//	replied complaints (callbacks) Query    GSI2 PK=OPEN, filter status = replied
//	handover job                   GetItem  PK=HANDOVER#id (consistent); running jobs Query GSI1 PK=HANDOVERRUN
//	move an account (handover)     TransactWriteItems: customer (managerId = from) + audit + job's moved list (NOT contains)
//	a notice sent once             PutItem  PK=NOTICE#key (condition: not there yet)
//	take / give back a lease       PutItem (condition: free or lapsed) / DeleteItem (condition: owner)
//	settings                       GetItem  PK=SETTINGS, SK=CURRENT
//	staff member by id             GetItem  PK=STAFF#id, SK=PERSON
//	the staff directory            Query    GSI1 PK=STAFF
//	complaints closed in a month   Query    GSI2 PK=CMPDONE#YYYY-MM (SK < received-before)
//	invitations sent in a month    Query    GSI3 PK=INVMONTH#<UTC month> (one or two), SK BETWEEN from AND to
//	visits of a month (report)     Query    GSI1 PK=PLANMONTH#month, then BatchGetItem VISIT#<id> of the approved plans' items;
//	                               Query    GSI4 PK=VISITDONE#month; Query GSI3 PK=VISITOPEN, SK BETWEEN first AND last day
//	follow-ups due in a month      Query    GSI4 PK=FOLLOWUPDUE#<UTC month> (one or two), SK BETWEEN from AND to
//	visits of a customer (report)  Query    GSI2 PK=CUSTVISIT#customer (only an account visited after the cut-off and not in the month)
//	add a contract [renewing one]  TransactWriteItems: the contract, the audit entry [, the renewed contract's mark]
//	contracts ending in a range    Query    GSI1 PK=CONTRACTEND#YYYY-MM (per month spanned), SK BETWEEN from AND to
//	business volume of a month     Query    GSI1 PK=VOLMONTH#YYYY-MM
//	report snapshot                GetItem  PK=REPORT#month, SK=SCOPE#scope; a month's all: Query PK=REPORT#month
//	keep a snapshot                TransactWriteItems: snapshot + trend point, each only if not there yet (immutable)
//	a scope's trend                Query    PK=REPORTTREND#scope, SK BETWEEN from AND to
//	a scope's kept months          Query    PK=REPORTTREND#scope (newest first, SK < before, projection month, hash, time);
//	                               a point kept before it named its snapshot: GetItem PK=REPORT#month, SK=SCOPE#scope (3 attributes)
//	complaints per account         BatchGetItem PK=REPORTFACTS#month (the months before)
//	mail part                      PutItem / GetItem PK=MAILPART#id
//	a console session              GetItem  PK=SESSION#key; PutItem (condition: new) at sign-in, UpdateItem (seen, TTL, language), DeleteItem at sign-out
//	the stack key                  GetItem  PK=KEY#stack (PutItem, condition: not there yet, by the first function that needs it)
//
// Cursors (cursor.go) are sealed with AES-256-GCM under the stack key and
// bound to the listing: clients see no key attribute and cannot make one up.
package store
