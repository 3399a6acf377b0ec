package demo

// The seeded history: short conversations that read like a small team's chat. Speakers
// alternate; in groups the seeder picks who says which line.

var privateTopics = [][]string{
	{"Morning! Did you see the new build?", "Not yet, is it up?", "Yes, on the staging server since 9", "Great, I'll have a look after standup", "Thanks 🙏"},
	{"Lunch today?", "Sure. The noodle place?", "Perfect, 12:30", "See you there"},
	{"Can you review my pull request when you have a minute?", "Which one?", "The one with the cache migrations", "On it", "Left two comments, otherwise looks good", "Fixed both, thanks!"},
	{"Are we still on for the call at 3?", "Yes, I'll send the link", "👍"},
	{"How was the weekend?", "Went climbing, my arms are still sore 😅", "Ha, worth it though?", "Absolutely. You should come next time", "Count me in"},
	{"Quick question: where do the release notes live?", "docs/releases, one file per version", "Found it, thanks"},
	{"I'm out tomorrow afternoon, dentist", "No problem, good luck!", "Thanks 😬"},
	{"The offline mode is really nice now", "Right? I wrote half of my messages on the train today", "And they all went out when you got signal?", "Every single one, in order"},
}

var groupTopics = [][]string{
	{"Standup in 5", "Joining", "Can someone share the board?", "Shared in the chat", "Thanks!"},
	{"I pushed the new icons", "They look great", "The dark variant needs a bit more contrast", "Good catch, I'll fix it", "Updated", "Perfect now"},
	{"Who's up for Saturday?", "Me!", "Depends on the weather", "Forecast says sunny ☀️", "Then I'm in", "Meet at the station at 8?", "8 it is"},
	{"Release checklist is in the doc", "I'll take the packaging part", "I can do the screenshots", "Great, I'll write the notes", "Let's aim for Thursday"},
	{"The build is red", "Looking", "Flaky test in the sync package, rerunning", "Green again", "Let's fix that test properly this week"},
	{"Coffee machine on floor 2 is fixed ☕", "Finally", "Best news this week"},
	{"Reminder: demo on Friday at 4", "Do we have a room?", "Booked the big one", "I'll bring snacks 🍪"},
	{"Did anyone try the search with no network?", "Yes, works from the local cache", "Even for old messages?", "Everything that was synced once"},
}

var freshLines = [][]string{
	{"Hey, are you around?", "Got a minute for a quick question?"},
	{"Just saw your message", "Let's talk tomorrow morning"},
	{"New mockups are ready 🎨"},
	{"Are we still on for today?"},
}

// replies are what the peers answer; a question gets an answer-like reply.
var (
	answers = []string{
		"Good question — let me check and get back to you",
		"I think so, yes",
		"Not sure, but the docs should say",
		"Yes! Let's do that",
	}
	chatter = []string{
		"Sounds good 👍",
		"Nice, thanks for letting me know",
		"Ha, agreed",
		"Got it",
		"Makes sense to me",
		"Love it",
		"Cool, talk soon",
	}
	greetings = []string{"Hi there! 👋", "Hey! How's it going?", "Hello 🙂"}
)
