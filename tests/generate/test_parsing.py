from trainnet.generate.parsing import ProposedTask, parse_proposed_tasks


def test_numbered_list_gives_instruction_only_tasks():
    text = "Here are some new tasks:\n1. Give me five names for a cat.\n2) Tell a joke about\n   penguins.\n3. Sort the list."
    assert parse_proposed_tasks(text) == [
        ProposedTask("Give me five names for a cat."),
        ProposedTask("Tell a joke about penguins."),
        ProposedTask("Sort the list."),
    ]


def test_bulleted_list_and_lone_paragraph():
    assert parse_proposed_tasks("- Name a river.\n* Name a lake.") == [
        ProposedTask("Name a river."),
        ProposedTask("Name a lake."),
    ]
    assert parse_proposed_tasks("Translate the sentence into French.") == [
        ProposedTask("Translate the sentence into French.")
    ]


def test_preamble_ending_with_colon_is_not_a_task():
    assert parse_proposed_tasks("Sure! Here are the tasks you asked for:") == []


def test_alpaca_labelled_blocks_with_noinput():
    text = (
        "4. Instruction: Say hello politely.\n4. Input:\n<noinput>\n4. Output:\nHello!\n###\n"
        "5. Instruction: Add the numbers.\n5. Input:\n2, 3\n5. Output:\n5\n###"
    )
    assert parse_proposed_tasks(text) == [
        ProposedTask("Say hello politely.", "", "Hello!"),
        ProposedTask("Add the numbers.", "2, 3", "5"),
    ]


def test_labelled_blocks_without_numbers_or_separators_and_with_markdown():
    text = "**Instruction:** Summarise the text.\n**Input:** A long text.\n**Output:** Short.\nInstruction: Name a fruit.\nOutput: Apple"
    assert parse_proposed_tasks(text) == [
        ProposedTask("Summarise the text.", "A long text.", "Short."),
        ProposedTask("Name a fruit.", "", "Apple"),
    ]


def test_answer_continuing_the_prompts_last_instruction_label():
    text = " Reverse the word.\n4. Input:\nstar\n4. Output:\nrats\n###\n5. Instruction: Name a colour.\n5. Output: Blue"
    assert parse_proposed_tasks(text) == [
        ProposedTask("Reverse the word.", "star", "rats"),
        ProposedTask("Name a colour.", "", "Blue"),
    ]


def test_truncated_answer_drops_its_last_cut_task():
    text = "1. Instruction: Name a planet.\n1. Output: Mars\n###\n2. Instruction: Describe the history of"
    assert parse_proposed_tasks(text, truncated=True) == [ProposedTask("Name a planet.", "", "Mars")]
    assert len(parse_proposed_tasks(text, truncated=False)) == 2
    assert parse_proposed_tasks("1. Name a river.\n2. Name a la", truncated=True) == [ProposedTask("Name a river.")]


def test_truncated_answer_cut_in_an_output_keeps_the_task_without_output():
    text = (
        "1. Instruction: Name a planet.\n1. Output: Mars\n###\n2. Instruction: Add them.\n2. Input: 1, 2\n2. Output: Th"
    )
    assert parse_proposed_tasks(text, truncated=True)[1] == ProposedTask("Add them.", "1, 2", "")
    cut_input = "1. Instruction: Add them.\n1. Input: 1, 2, 3, 4"
    assert parse_proposed_tasks(cut_input, truncated=True) == []


def test_json_array_of_objects_with_aliases_and_fence():
    text = 'Sure:\n```json\n[{"instruction": "Name a planet.", "input": "", "output": "Mars"},\n {"task": "Add.", "context": "1 1", "answer": 2}]\n```'
    assert parse_proposed_tasks(text) == [ProposedTask("Name a planet.", "", "Mars"), ProposedTask("Add.", "1 1", "2")]


def test_json_lines_and_array_of_strings():
    assert parse_proposed_tasks('{"instruction": "A b c d."}\n{"instruction": "E f g h.", "output": "x"}') == [
        ProposedTask("A b c d."),
        ProposedTask("E f g h.", "", "x"),
    ]
    assert parse_proposed_tasks('["Name a river.", "Name a lake."]') == [
        ProposedTask("Name a river."),
        ProposedTask("Name a lake."),
    ]


def test_partial_json_keeps_every_complete_object():
    text = '[{"instruction": "Name a planet.", "output": "Mars"}, {"instruction": "Name a st'
    assert parse_proposed_tasks(text, truncated=True) == [ProposedTask("Name a planet.", "", "Mars")]


def test_garbage_and_empty_answers_give_no_tasks():
    assert parse_proposed_tasks("") == []
    assert parse_proposed_tasks("###\n###\n1. Instruction:\n###") == []
    assert parse_proposed_tasks('{"unrelated": true}') == []
    assert parse_proposed_tasks('[{"instruction": ') == []
