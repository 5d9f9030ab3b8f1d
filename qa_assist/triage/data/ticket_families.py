"""Hand-written template families for the ticket data set.

A family is one way of telling one kind of story (e.g. "brakes squeal at low speed, asks if
the pads are worn"), written in two to four phrasings with ``{slots}`` filled from the pools in
:mod:`qa_assist.triage.data.generate_tickets`, and rendered into three or four tickets. All
tickets of a family land in the same split, so the test split holds stories the training split
never saw. The families live in one module per type; :mod:`~qa_assist.triage.data.family`
says what a family is.

Labels follow ``labels.yaml``. Conventions worth knowing when adding families:

* rescue = the customer needs someone on site or a tow, now or at a booked time (a tow, a jump
  start, a tyre change, a door opened, a car pulled out of mud or water); fault = they report
  a problem and want it diagnosed, repaired or explained, even when the car cannot move
  ("brakes feel soft, can I still drive to the shop" is a fault; "the brakes failed, send a
  tow" is a rescue).
* complaint = dissatisfied with a product, a repair, a dealer, staff, prices or a service and
  wants it put right; it can involve a fault (then it has a subsystem) or not (subsystem None).
  "The rescue is two hours late" is a complaint, "thanks for last week's rescue" is other.
* consultation = a question or a request for information, a booking (service, test drive) or
  a quote, with no current fault; other = thanks, wrong numbers, silent calls, invoices,
  personal data changes, cancelling or moving an existing booking, spam, job applications,
  press and supplier enquiries, "my earlier complaint is solved, close it".
* consultation and other never have a subsystem and are P3.
* P0 = safety risk now (fire, smoke, brake/steering failure, motorway/tunnel/bridge stranding,
  people locked in, accident, flood water at the doors, electric shock); a stop in a service
  area or a city street is P1; a booked, non-urgent tow is P2; a fault the car can be driven
  with is P2. Near misses ("差点追尾"), hypothetical questions ("会不会自燃") and pets locked in
  are not P0.
* escalation is True only for complaints that threaten media, regulators, lawyers, demand a
  refund, a replacement car or compensation, or are repeat complaints.
* Subsystems: a problem the customer ties to a software update is ``software_ota``; screens,
  audio, navigation, phone mirroring, voice, the app and the head unit's own functions are
  ``infotainment``; 12 V battery, keys, locks, windows, lights, wipers, doors, electric seats and
  mirrors are ``body_electrical``; the heat pump and everything blowing air is ``hvac``;
  regenerative braking, ABS/ESP and the parking brake are ``brakes``; paint, trim, glass,
  rattles, seat belts, smells and rust are ``other``.
* Hard cases are deliberate: complaints that describe faults, faults that say 投诉 in passing,
  questions about fire risk, exhaust smoke, kerb strikes, near misses, past accidents.
"""

from __future__ import annotations

from qa_assist.triage.data.complaints import COMPLAINTS
from qa_assist.triage.data.consultations import CONSULTATIONS
from qa_assist.triage.data.family import Family, LabelOverrides
from qa_assist.triage.data.faults import FAULTS
from qa_assist.triage.data.faults_later import FAULTS_LATER
from qa_assist.triage.data.others import OTHERS
from qa_assist.triage.data.rescues import RESCUES

#: Split into train, dev and test.
FAMILIES: tuple[Family, ...] = FAULTS + RESCUES + COMPLAINTS + CONSULTATIONS + OTHERS
#: Written after the test split was frozen (session 10): train and dev only, so that the test
#: split, and every measurement on it, stays comparable.
TRAIN_DEV_FAMILIES: tuple[Family, ...] = FAULTS_LATER

__all__ = ["FAMILIES", "TRAIN_DEV_FAMILIES", "Family", "LabelOverrides"]
